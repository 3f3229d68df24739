import type { Agent, ToolsInput } from '@mastra/core/agent';
import { RequestContext } from '@mastra/core/request-context';
import type { DynamicArgument } from '@mastra/core/types';
import type { StepRequest } from '../engine/ports.ts';

/*
 * Which tools one executor step is offered. Every tool definition goes with every turn of a step
 * (with the CLI's three file tools, about 490 tokens a turn; one of them, about 150–180), so a step
 * that needs one named tool is cheaper offered only that tool (issue 11). Narrowing happens:
 * - always for a direct step the executor is asked to make (no DirectToolRunner): the plan names
 *   the one call to make;
 * - for a step's `toolHint` only when the executor agent was created with `offerNamedToolsOnly`:
 *   a hint is "the tool most likely needed", and a step that needs a second tool would spend its
 *   turns on "Tool … not found" errors (measured on the python-scaffold example, whose structure
 *   step writes files under a listFiles hint).
 * Fallbacks: a call of a tool not offered comes back as Mastra's tool error naming the tools the
 * step has; a retry, and a direct step whose own call failed, get every tool. Only executor agents
 * made by createExecutorAgent narrow (their tools read the request context); another Agent keeps its tools.
 */

/** The request-context key under which the executor port names the only tools a step is offered. */
export const STEP_TOOLS_KEY = 'mastra-plan-execute:step-tools';

// Executor agents created with offerNamedToolsOnly.
const hintNarrowing = new WeakSet<Agent>();

/** Makes `agent` offer a step whose plan names a toolHint only that tool (first attempts). */
export function rememberHintNarrowing(agent: Agent, enabled: boolean): Agent {
  if (enabled) hintNarrowing.add(agent);
  return agent;
}

/** The tools `request` is offered alone by `agent`, or null for every tool. */
export function stepToolNames(agent: Agent, request: StepRequest): readonly string[] | null {
  if (request.attempt > 1 || request.directCall?.error) return null;
  if (request.directCall) return [request.directCall.tool];
  return hintNarrowing.has(agent) && request.step.toolHint ? [request.step.toolHint] : null;
}

/** `{ requestContext }` naming the step's only tools, or `{}` when it gets every tool. */
export function stepToolsContext(agent: Agent, request: StepRequest): { readonly requestContext?: RequestContext } {
  const names = stepToolNames(agent, request);
  if (!names) return {};
  const requestContext = new RequestContext();
  requestContext.set(STEP_TOOLS_KEY, names);
  return { requestContext };
}

/** `tools` as a function of the request context that keeps only the tools named under STEP_TOOLS_KEY (all when none of them exists). */
export function narrowableTools(tools: DynamicArgument<ToolsInput>): DynamicArgument<ToolsInput> {
  return async (context) => {
    const all = typeof tools === 'function' ? await tools(context) : tools;
    const names = context.requestContext?.get(STEP_TOOLS_KEY) as readonly string[] | undefined;
    const picked = names ? Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name))) : all;
    return Object.keys(picked).length ? picked : all;
  };
}
