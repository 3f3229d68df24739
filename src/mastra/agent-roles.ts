import type { Agent } from '@mastra/core/agent';
import { executorPort } from '../agents/executor.ts';
import type { StructuredOutputOptions } from '../agents/output-mode.ts';
import { plannerIdentity, plannerPort } from '../agents/planner.ts';
import { synthesizerPort } from '../agents/synthesizer.ts';
import { directToolRunner } from '../agents/tool-runner.ts';
import { toolInputSchema } from '../agents/tool-schema.ts';
import type { PlanRunListener } from '../engine/events.ts';
import type { PlanCache } from '../engine/plan-cache.ts';
import type { ToolInfo } from '../engine/ports.ts';
import type { RunRoles } from '../engine/run-input.ts';
import type { RunSettings } from '../engine/settings.ts';

/** The three role Agents of a run. */
export interface RoleAgents {
  /** Writes and revises plans. */
  readonly planner: Agent;
  /** Runs steps with its tools. */
  readonly executor: Agent;
  /** Merges the outputs. */
  readonly synthesizer: Agent;
}

/** The executor Agent's tools as the planner sees them: name, description and input schema (JSON Schema, when it can be read). */
export async function toolCatalogue(executor: Agent): Promise<ToolInfo[]> {
  const tools = (await executor.listTools()) as Record<string, { description?: string }>;
  return Object.entries(tools).map(([name, tool]) => {
    const inputSchema = toolInputSchema(tool);
    return { name, description: tool.description ?? '', ...(inputSchema ? { inputSchema } : {}) };
  });
}

/** The per-run hooks and options of {@link agentRunRoles}. */
export interface RunHooks {
  readonly abortSignal?: AbortSignal | undefined;
  readonly onEvent?: PlanRunListener | undefined;
  /** Plans kept across runs; with it, the planner's identity is worked out for the cache key. */
  readonly planCache?: PlanCache | undefined;
}

/**
 * What the engine needs from three Agents: their ports, the executor's tool catalogue, a runner
 * for direct steps over the executor's tools, the settings and the caller's hooks, with each
 * role's structured-output mode (`auto` when left out). The one builder both drivers
 * (PlanAndExecute and the workflow) use.
 */
export async function agentRunRoles(
  agents: RoleAgents,
  settings: RunSettings,
  hooks: RunHooks,
  structuredOutput: StructuredOutputOptions = {},
): Promise<RunRoles> {
  return {
    planner: plannerPort(agents.planner, { mode: structuredOutput.planner }),
    executor: executorPort(agents.executor, { mode: structuredOutput.executor }),
    synthesizer: synthesizerPort(agents.synthesizer),
    tools: await toolCatalogue(agents.executor),
    toolRunner: directToolRunner(agents.executor),
    ...(hooks.planCache ? { planCache: hooks.planCache, plannerIdentity: await plannerIdentity(agents.planner) } : {}),
    settings,
    abortSignal: hooks.abortSignal,
    onEvent: hooks.onEvent,
  };
}
