import type { Agent } from '@mastra/core/agent';
import type { RequestContext } from '@mastra/core/request-context';
import type { z } from 'zod';
import { ModelOutputError, RunCancelledError } from '../engine/errors.ts';
import type { TokenUsage } from '../engine/usage.ts';
import { formatZodIssues } from '../engine/validate-plan.ts';

interface GenerateLike {
  text?: string;
  object?: unknown;
  finishReason?: string;
  totalUsage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number };
  steps?: ReadonlyArray<{ toolCalls?: readonly unknown[] }>;
}

/** A Mastra usage object as plain token counts. */
export function toTokenUsage(usage: GenerateLike['totalUsage']): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
}

/** One structured agent call before its answer is parsed. */
export interface RawStructuredReply {
  /** The model's final text. */
  readonly text: string;
  /** What Mastra parsed, or null. */
  readonly object: unknown;
  /** Tokens of every model call it took. */
  readonly usage: TokenUsage;
  /** Tool calls made on the way. */
  readonly toolCalls: number;
  /** Why the model stopped: 'stop', or 'tool-calls' when the turn budget ran out mid-loop. */
  readonly finishReason: string;
}

/** Options of one structured call. */
export interface StructuredCallOptions {
  /** Cancels the call. */
  readonly abortSignal: AbortSignal;
  /** Model turns allowed (the tool-loop budget). */
  readonly maxSteps?: number;
  /** Per-call values the agent's tools read (`context.requestContext`). */
  readonly requestContext?: RequestContext;
}

/** The failure of a step whose model spent its turn budget on tool calls, or null. */
export function turnBudgetError(reply: RawStructuredReply, maxIterations: number): string | null {
  return reply.finishReason === 'tool-calls' ? `The step used all ${maxIterations} model turns on tool calls without a final answer` : null;
}

/**
 * Calls `agent` with structured output (fallback mode, so Mastra never throws or logs on a
 * malformed answer); an aborted call, which Mastra resolves, becomes RunCancelledError.
 */
export async function callStructured(
  agent: Agent,
  prompt: string,
  schema: z.ZodType,
  options: StructuredCallOptions,
): Promise<RawStructuredReply> {
  const result = (await agent.generate(prompt, {
    abortSignal: options.abortSignal,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    ...(options.requestContext ? { requestContext: options.requestContext } : {}),
    structuredOutput: { schema, errorStrategy: 'fallback', fallbackValue: null },
  })) as GenerateLike;
  const finishReason = result.finishReason ?? 'unknown';
  if (finishReason === 'aborted' || options.abortSignal.aborted) throw new RunCancelledError();
  return {
    text: result.text ?? '',
    object: result.object ?? null,
    usage: toTokenUsage(result.totalUsage),
    toolCalls: (result.steps ?? []).reduce((count, step) => count + (step.toolCalls?.length ?? 0), 0),
    finishReason,
  };
}

/** The reply's answer checked against `schema`; a mismatch is a ModelOutputError with the raw text and the cost. */
export function parseStructured<S extends z.ZodType>(role: string, reply: RawStructuredReply, schema: S): z.infer<S> {
  const candidate = reply.object ?? parseJson(reply.text);
  if (candidate === undefined) throw new ModelOutputError(role, reply.text, [NOT_JSON], reply.usage);
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) throw new ModelOutputError(role, reply.text, formatZodIssues(parsed.error), reply.usage);
  return parsed.data;
}

/** What a model is told when its answer held no JSON at all. */
export const NOT_JSON = 'The answer is not JSON; answer with exactly one JSON object that matches the schema.';

/** `callStructured` then `parseStructured`. */
export async function generateStructured<S extends z.ZodType>(
  agent: Agent,
  role: string,
  prompt: string,
  schema: S,
  options: StructuredCallOptions,
): Promise<{ value: z.infer<S>; usage: TokenUsage }> {
  const reply = await callStructured(agent, prompt, schema, options);
  return { value: parseStructured(role, reply, schema), usage: reply.usage };
}

/** JSON in the text, with or without a Markdown code fence; undefined when there is none. */
function parseJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  try {
    return JSON.parse(fenced?.[1] ?? text);
  } catch {
    return undefined;
  }
}
