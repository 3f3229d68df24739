import type { Agent } from '@mastra/core/agent';
import { cutText } from '../engine/cut-text.ts';
import type { DirectToolRunner, ToolCallRequest } from '../engine/ports.ts';
import { DEFAULT_MAX_TOOL_RESULT_CHARS } from './cap-tool-results.ts';

/** A tool as the runner calls it: Mastra's `createTool` tools and AI SDK tools alike. */
interface CallableTool {
  readonly execute?: (input: unknown, context: Record<string, unknown>) => unknown;
  readonly toModelOutput?: (output: unknown) => unknown;
}

// The cut an executor agent applies to tool results, so a direct step's output is cut alike.
const resultCaps = new WeakMap<Agent, number>();

/** Remembers `maxChars` as the longest tool result `agent` shows its model (createExecutorAgent's option). */
export function rememberToolResultCap(agent: Agent, maxChars: number): Agent {
  resultCaps.set(agent, maxChars);
  return agent;
}

/** Thrown when a direct call failed without throwing: the tool refused the arguments or reported failure. */
export class DirectCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectCallError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * What a tool answered when it failed without throwing: Mastra's input validation error
 * (`{ error: true, message }`) or this project's tool failure (`{ ok: false, error }`); null otherwise.
 */
export function reportedFailure(output: unknown): string | null {
  if (!isObject(output)) return null;
  if (output.error === true && typeof output.message === 'string') return output.message;
  if (output.ok === false && typeof output.error === 'string') return output.error;
  return null;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/**
 * The text a model would be shown of `output`: what the tool's `toModelOutput` maps it to (an
 * executor agent's tools map a long result to its cut text), else the result cut to `maxChars`.
 */
async function shownText(tool: CallableTool, output: unknown, maxChars: number): Promise<string> {
  const mapped = tool.toModelOutput ? await tool.toModelOutput(output) : undefined;
  if (mapped === undefined || mapped === null) return cutText(asText(output), maxChars);
  return isObject(mapped) && 'value' in mapped ? asText(mapped.value) : asText(mapped);
}

/**
 * The engine's DirectToolRunner over `agent`'s tools: calls the named tool's `execute` with the
 * filled arguments and the step's abort signal, no model involved. Mastra validates the arguments
 * against the tool's input schema first. The result becomes the step's output as a model would see
 * it (the tool's `toModelOutput`, then cut to the agent's `maxToolResultChars`). Throws
 * DirectCallError when the tool does not exist, cannot be called, refuses the arguments or reports
 * failure; a thrown error passes through. Either way the engine hands the step to the executor.
 */
export function directToolRunner(agent: Agent): DirectToolRunner {
  return {
    async callTool({ stepId, tool: name, args, abortSignal }: ToolCallRequest): Promise<string> {
      const tools = (await agent.listTools()) as Record<string, CallableTool>;
      const tool = tools[name];
      if (!tool?.execute)
        throw new DirectCallError(`Tool "${name}" ${tool ? 'cannot be called directly (it has no execute)' : "is not one of the executor's tools"}`);
      // toolCallId and messages make Mastra hand the tool an agent-like context, as in an executor's tool call.
      const output = await tool.execute(args, { abortSignal, toolCallId: `direct-${stepId}`, messages: [] });
      const failure = reportedFailure(output);
      if (failure !== null) throw new DirectCallError(failure);
      return shownText(tool, output, resultCaps.get(agent) ?? DEFAULT_MAX_TOOL_RESULT_CHARS);
    },
  };
}
