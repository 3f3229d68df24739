import type { Agent, ToolsInput } from '@mastra/core/agent';
import { createExecutorAgent } from '../agents/executor.ts';
import { createPlannerAgent } from '../agents/planner.ts';
import type { StructuredOutputOptions } from '../agents/output-mode.ts';
import { createSynthesizerAgent } from '../agents/synthesizer.ts';
import { outputModesFromEnv, resolveRoleModel, type ModelEnv } from '../models.ts';
import { probeBubblewrap } from '../tools/bubblewrap.ts';
import { createFileTools } from '../tools/file-tools.ts';
import { createRunCommandTool } from '../tools/run-command.ts';
import { Workspace } from '../tools/workspace.ts';

/** Programs the playground's executor may run inside its workspace, inside bubblewrap only. */
export const DEFAULT_ALLOWED_COMMANDS = ['ls', 'cat', 'wc', 'python3'] as const;

/** The three role agents of the project's own Mastra instance. */
export interface DefaultAgents {
  readonly planner: Agent;
  readonly executor: Agent;
  readonly synthesizer: Agent;
}

/** Options of `createDefaultAgents`. */
export interface DefaultAgentsOptions {
  /** Where the models and PLAN_EXECUTE_OUTPUT_MODE are read. @default process.env */
  readonly env?: ModelEnv;
  /** The executor's workspace, created on first use. */
  readonly workspaceDir: string;
  /** Structured-output mode per role. @default from PLAN_EXECUTE_OUTPUT_MODE, else `auto` for every role */
  readonly structuredOutput?: StructuredOutputOptions;
}

/**
 * Role agents whose models come from the environment when they are first used (not at import),
 * so the playground starts without a key and a call without one fails with a MissingModelError
 * naming OPENAI_API_KEY and OPENAI_BASE_URL. The executor gets the sandboxed file tools in
 * `workspaceDir`, created on first use, and `runCommand` (DEFAULT_ALLOWED_COMMANDS) only where
 * bubblewrap can confine it. The agents remember their structured-output modes,
 * so the ports built from them (PlanAndExecute, the workflow) use them.
 * @throws InvalidOptionsError when PLAN_EXECUTE_OUTPUT_MODE (or `structuredOutput`) names an unknown mode.
 */
export function createDefaultAgents({ env = process.env, workspaceDir, structuredOutput }: DefaultAgentsOptions): DefaultAgents {
  const modes = structuredOutput ?? outputModesFromEnv(env);
  let tools: Promise<ToolsInput> | null = null;
  const executorTools = () =>
    (tools ??= Workspace.create(workspaceDir).then((workspace): ToolsInput => {
      const { readFile, writeFile, listFiles } = createFileTools(workspace);
      // Unconfined, `cat` and `python3` could read any file, /proc/<pid>/environ with the keys included: no sandbox, no commands.
      if (!probeBubblewrap().usable) return { readFile, writeFile, listFiles };
      return {
        readFile,
        writeFile,
        listFiles,
        runCommand: createRunCommandTool({ workspace, allowedCommands: DEFAULT_ALLOWED_COMMANDS, sandbox: 'required' }),
      };
    }));
  return {
    planner: createPlannerAgent({ model: () => resolveRoleModel('planner', env), structuredOutput: modes?.planner }),
    executor: createExecutorAgent({ model: () => resolveRoleModel('executor', env), tools: executorTools, structuredOutput: modes?.executor }),
    synthesizer: createSynthesizerAgent({ model: () => resolveRoleModel('synthesizer', env) }),
  };
}
