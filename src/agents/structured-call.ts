import type { Agent } from '@mastra/core/agent';
import type { RequestContext } from '@mastra/core/request-context';
import type { z } from 'zod';
import { RunCancelledError, type ModelCallRole } from '../engine/errors.ts';
import type { TokenUsage } from '../engine/usage.ts';
import type { StructuredOutputMode } from './output-mode.ts';
import { modelApiKeys } from './model-server.ts';
import { classifyModelError } from './provider-errors.ts';
import { countWorkToolCalls, lastReportedOutcome, REPORT_TOOL_NAME, reportStepOutcomeTool, stopWhenReported, type TurnLike } from './report-tool.ts';
import { isReadable, readStructured } from './read-structured.ts';
import type { AnswerKind } from './tolerant-reader.ts';

export { readStructured } from './read-structured.ts';

interface GenerateLike {
  text?: string;
  object?: unknown;
  finishReason?: string;
  totalUsage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number };
  steps?: readonly TurnLike[];
}

/** A Mastra usage object as plain token counts. */
export function toTokenUsage(usage: GenerateLike['totalUsage']): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
}

/** One structured agent call before its answer is read. */
export interface RawStructuredReply {
  /** The model's final text. */
  readonly text: string;
  /** A value already parsed: what Mastra parsed (`native`) or the `report_step_outcome` arguments (`tool`); null when none. */
  readonly object: unknown;
  /** Tokens of every model call it took. */
  readonly usage: TokenUsage;
  /** Tool calls made on the way (the final-answer tool not counted). */
  readonly toolCalls: number;
  /** Why the model stopped: 'stop', or 'tool-calls' when the loop ended on tool calls. */
  readonly finishReason: string;
  /** How the answer was asked for. */
  readonly mode: StructuredOutputMode;
}

/** Options of one structured call. */
export interface StructuredCallOptions {
  /** Cancels the call. */
  readonly abortSignal: AbortSignal;
  /** How to ask for the answer. */
  readonly mode: StructuredOutputMode;
  /** Whose call it is, for errors. */
  readonly role: ModelCallRole;
  /** Which answer the tolerant reader expects (`tool` mode stops on the first readable report). */
  readonly kind: AnswerKind;
  /** Model turns allowed (the tool-loop budget). */
  readonly maxTurns?: number;
  /** Per-call values the agent's tools read (`context.requestContext`). */
  readonly requestContext?: RequestContext;
  /** Streams the call (`agent.stream`) and gets each piece of the answer's text as it comes; the reply is the same as without. */
  readonly onText?: ((piece: string) => Promise<void>) | undefined;
}

/** The failure of a step whose model spent its turn budget on tool calls without reporting, or null. */
export function turnBudgetError(reply: RawStructuredReply, maxIterations: number): string | null {
  const reported = reply.mode === 'tool' && reply.object !== null;
  return reply.finishReason === 'tool-calls' && !reported ? `The step used all ${maxIterations} model turns on tool calls without a final answer` : null;
}

/**
 * Calls `agent` for a structured answer in `options.mode`:
 * - `native`: Mastra structured output (`response_format`), fallback strategy so Mastra never
 *   throws or logs on a malformed answer;
 * - `prompt`: a plain call; the prompt itself asks for JSON;
 * - `text`: a plain call; the prompt asks for the result as text (read by `readTextOutcome`);
 * - `tool`: the `report_step_outcome` tool added for this call, the loop stopped right after a
 *   readable report. Never tools and a `response_format` together unless the mode is `native`.
 * A provider error is classified (request rejected, server unavailable, transient); an aborted
 * call, which Mastra resolves, becomes RunCancelledError.
 */
export async function callStructured(agent: Agent, prompt: string, schema: z.ZodType, options: StructuredCallOptions): Promise<RawStructuredReply> {
  const { abortSignal, mode } = options;
  let result: GenerateLike;
  try {
    const callOptions = {
      abortSignal,
      ...(options.maxTurns === undefined ? {} : { maxSteps: options.maxTurns }),
      ...(options.requestContext ? { requestContext: options.requestContext } : {}),
      ...modeOptions(mode, schema, options.kind),
    };
    result = options.onText ? await streamed(agent, prompt, callOptions, options.onText) : ((await agent.generate(prompt, callOptions)) as GenerateLike);
  } catch (error) {
    throw await classifiedCallError(agent, error, options.role, abortSignal);
  }
  const finishReason = result.finishReason ?? 'unknown';
  if (finishReason === 'aborted' || abortSignal.aborted) throw new RunCancelledError();
  const steps = result.steps ?? [];
  const object = mode === 'tool' ? lastReportedOutcome(steps) : result.object;
  // Mastra's `text` joins every turn's: in `text` mode the answer is the last turn alone, not the
  // words a model wrote beside its tool calls ("Let me read the file first.").
  const text = (mode === 'text' ? steps.at(-1)?.text : undefined) ?? result.text ?? '';
  return { text, object: object ?? null, usage: toTokenUsage(result.totalUsage), toolCalls: countWorkToolCalls(steps), finishReason, mode };
}

/** `agent.stream`, `onText` given each piece of the text, then the full output as `generate` gives it (throwing its error). */
async function streamed(agent: Agent, prompt: string, callOptions: Record<string, unknown>, onText: (piece: string) => Promise<void>): Promise<GenerateLike> {
  const output = await agent.stream(prompt, callOptions);
  for await (const piece of output.textStream) await onText(piece);
  const full = await output.getFullOutput();
  if (full.error) throw full.error;
  return full as GenerateLike;
}

/**
 * What a failed `agent.generate` throws on: RunCancelledError after the signal fired, else the
 * provider error classified, with the agent's API key masked in the provider's message.
 */
export async function classifiedCallError(agent: Agent, error: unknown, role: ModelCallRole, abortSignal: AbortSignal): Promise<unknown> {
  if (abortSignal.aborted) return new RunCancelledError({ cause: error });
  return classifyModelError(error, role, { secrets: await modelApiKeys(agent) });
}

/** The `agent.generate` options of one mode. */
function modeOptions(mode: StructuredOutputMode, schema: z.ZodType, kind: AnswerKind): Record<string, unknown> {
  switch (mode) {
    case 'native':
      return { structuredOutput: { schema, errorStrategy: 'fallback', fallbackValue: null } };
    case 'prompt':
    case 'text':
      return {};
    case 'tool':
      return {
        toolsets: { finalAnswer: { [REPORT_TOOL_NAME]: reportStepOutcomeTool } },
        stopWhen: stopWhenReported((outcome) => isReadable(kind, schema, outcome)),
      };
  }
}

/** A role's structured answer with what it cost, how it was asked for and what the reader repaired. */
export interface StructuredReply<T> {
  readonly value: T;
  readonly usage: TokenUsage;
  readonly mode: StructuredOutputMode;
  readonly repairs: readonly string[];
}

/** `callStructured` then `readStructured`. */
export async function generateStructured<S extends z.ZodType>(
  agent: Agent,
  prompt: string,
  schema: S,
  options: StructuredCallOptions & { readonly goal?: string },
): Promise<StructuredReply<z.infer<S>>> {
  const reply = await callStructured(agent, prompt, schema, options);
  const { value, repairs } = readStructured(options.role, options.kind, reply, schema, { goal: options.goal });
  return { value, usage: reply.usage, mode: reply.mode, repairs };
}
