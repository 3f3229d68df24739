import type { Agent, ToolsInput } from '@mastra/core/agent';
import { createExecutorAgent } from '../agents/executor.ts';
import { createPlannerAgent } from '../agents/planner.ts';
import type { StructuredOutputOptions } from '../agents/output-mode.ts';
import { createSynthesizerAgent } from '../agents/synthesizer.ts';
import { agentRoleModel, outputModesFromEnv, type ModelEnv } from '../models.ts';
import { probeBubblewrap } from '../tools/bubblewrap.ts';
import { createFileTools } from '../tools/file-tools.ts';
import type { McpTools } from '../tools/mcp-tools.ts';
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
  /**
   * An MCP servers file (`{ "mcpServers": … }`, see loadMcpTools) whose tools the executor gets
   * too; its servers start on the executor's first use. A blank value is no file (as an unset
   * PLAN_EXECUTE_MCP_CONFIG copied from .env.example leaves it). @default none
   */
  readonly mcpConfigPath?: string;
}

/** The playground's executor tools: the sandboxed file tools in `workspaceDir`, and `runCommand` where bubblewrap can confine it. */
async function workspaceTools(workspaceDir: string): Promise<ToolsInput> {
  const workspace = await Workspace.create(workspaceDir);
  const { readFile, writeFile, listFiles } = createFileTools(workspace);
  // Unconfined, `cat` and `python3` could read any file, /proc/<pid>/environ with the keys included: no sandbox, no commands.
  if (!probeBubblewrap().usable) return { readFile, writeFile, listFiles };
  return {
    readFile,
    writeFile,
    listFiles,
    runCommand: createRunCommandTool({ workspace, allowedCommands: DEFAULT_ALLOWED_COMMANDS, sandbox: 'required' }),
  };
}

/** The workspace tools, and the MCP servers' tools when there is a file (loaded only then: @mastra/mcp is imported on demand). */
async function executorToolsFor(workspaceDir: string, mcpConfigPath: string | null): Promise<ToolsInput> {
  const tools = await workspaceTools(workspaceDir);
  if (mcpConfigPath === null) return tools;
  const { loadMcpTools } = await import('../tools/mcp-tools.ts');
  // Tool results and errors come back with the file's secrets redacted, so the workflow's runs and traces never carry them.
  // The servers live as long as the process; @mastra/mcp stops them when it exits.
  const mcp: McpTools = await loadMcpTools({ config: mcpConfigPath, existingToolNames: Object.keys(tools) });
  return { ...tools, ...mcp.tools };
}

/**
 * Role agents whose models come from the environment when they are first used (not at import),
 * so the playground starts without a key and a call without one fails with a MissingModelError
 * naming OPENAI_API_KEY and OPENAI_BASE_URL. The executor gets the sandboxed file tools in
 * `workspaceDir`, created on first use, `runCommand` (DEFAULT_ALLOWED_COMMANDS) only where
 * bubblewrap can confine it, and the tools of the MCP servers in `mcpConfigPath`, started on
 * first use (a file or server that cannot be used fails that use, and the next use tries again).
 * The agents remember their structured-output modes, so the ports built from them (PlanAndExecute,
 * the workflow) use them.
 * @throws InvalidOptionsError when PLAN_EXECUTE_OUTPUT_MODE (or `structuredOutput`) names an unknown mode.
 * @example createDefaultAgents({ workspaceDir: resolve('workspace'), mcpConfigPath: process.env.PLAN_EXECUTE_MCP_CONFIG })
 */
export function createDefaultAgents({ env = process.env, workspaceDir, structuredOutput, mcpConfigPath }: DefaultAgentsOptions): DefaultAgents {
  const modes = structuredOutput ?? outputModesFromEnv(env);
  const mcpFile = mcpConfigPath?.trim() || null;
  let tools: Promise<ToolsInput> | null = null;
  const executorTools = () =>
    (tools ??= executorToolsFor(workspaceDir, mcpFile).catch((error: unknown) => {
      tools = null;
      throw error;
    }));
  return {
    planner: createPlannerAgent({ model: () => agentRoleModel('planner', env), structuredOutput: modes?.planner }),
    executor: createExecutorAgent({ model: () => agentRoleModel('executor', env), tools: executorTools, structuredOutput: modes?.executor }),
    synthesizer: createSynthesizerAgent({ model: () => agentRoleModel('synthesizer', env) }),
  };
}
