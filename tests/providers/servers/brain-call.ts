import { z } from 'zod';
import type { Brain, BrainReply, BrainRequest, BrainToolCall } from './types.ts';

/** The brain's answer after the server's rules: what may reach the client. */
export interface ModelOutput {
  readonly reply: BrainReply;
  /** Tool calls that reach the client; empty when `toolCallsAllowed` was false. */
  readonly toolCalls: readonly BrainToolCall[];
  /** The content before any server rewriting; null for none. */
  readonly content: string | null;
  /** What the model thought first (`BrainReply.reasoning`); null for none. */
  readonly reasoning: string | null;
}

/**
 * Asks `brain` and holds it to what a real model behind this server could say: tool calls only to
 * offered tools and never when `toolCallsAllowed` is false (they are dropped, as constrained
 * decoding never lets them out); content valid against an enforced format. A brain that breaks
 * this is a test bug, reported as an Error (the server answers 500), never passed on.
 */
export function askBrain(brain: Brain, request: BrainRequest): ModelOutput {
  const reply = brain(request);
  const offered = new Set(request.tools.map((tool) => tool.name));
  for (const call of reply.toolCalls ?? []) {
    if (!offered.has(call.name)) throw new Error(`the brain called "${call.name}", which the request did not offer`);
  }
  const toolCalls = request.toolCallsAllowed ? (reply.toolCalls ?? []) : [];
  const content = reply.content ?? null;
  if (!toolCalls.length && content === null) {
    const dropped = reply.toolCalls?.length ? ' (its tool calls were dropped: this server lets none out for this request)' : '';
    throw new Error(`the brain answered no content${dropped}`);
  }
  if (request.formatEnforced && request.responseFormat && content !== null && !toolCalls.length) {
    const problem = formatProblem(request, content);
    if (problem) throw new Error(`the brain's content breaks the response format this server enforces: ${problem}`);
  }
  return { reply, toolCalls, content, reasoning: reply.reasoning ?? null };
}

/** Why `content` does not satisfy the request's format (grammar-constrained output always does); null when it does. */
function formatProblem(request: BrainRequest, content: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return 'not JSON';
  }
  if (request.responseFormat?.type === 'json_object') return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'not a JSON object';
  const schema = z.fromJSONSchema(request.responseFormat!.schema as Parameters<typeof z.fromJSONSchema>[0]);
  const parsed = schema.safeParse(value);
  return parsed.success ? null : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** A deterministic token count for text: about four characters a token, as OpenAI's rule of thumb. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens of a request: its messages and tool definitions. */
export function promptTokens(request: BrainRequest): number {
  const messages = request.messages.map((message) => message.content + JSON.stringify(message.toolCalls ?? '')).join('');
  return estimateTokens(messages + JSON.stringify(request.tools));
}

/** Completion tokens of an answer. */
export function completionTokens(content: string | null, toolCalls: readonly BrainToolCall[]): number {
  return estimateTokens((content ?? '') + toolCalls.map((call) => call.name + JSON.stringify(call.arguments)).join(''));
}
