import { errorReply, Rejection } from './core.ts';
import type { BrainMessage, BrainTool, BrainToolCallMade, ResponseFormat } from './types.ts';

// The Chat Completions wire format, as documented by OpenAI and copied by every server here:
// request https://platform.openai.com/docs/api-reference/chat/create,
// response https://platform.openai.com/docs/api-reference/chat/object,
// stream chunks https://platform.openai.com/docs/api-reference/chat-streaming.

/** `tool_choice` as sent: `auto` / `none` / `required`, or the name of the one tool forced. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** A Chat Completions request body, read into the parts the stand-ins' rules and brains use. */
export interface ChatRequest {
  readonly model: string;
  readonly stream: boolean;
  /** `stream_options.include_usage`: a last chunk carries the usage. */
  readonly includeUsage: boolean;
  readonly messages: readonly BrainMessage[];
  readonly tools: readonly BrainTool[];
  /** undefined when the request sent none (the documented default is `auto` when tools are present). */
  readonly toolChoice: ToolChoice | undefined;
  /** `response_format.type` as sent (`text`, `json_object`, `json_schema`, …); null when absent. */
  readonly responseFormatType: string | null;
  /** The structured-output request; null for none or `text`. */
  readonly responseFormat: ResponseFormat | null;
  /** `reasoning_effort` (or `reasoning.effort`) as sent; null when absent. */
  readonly reasoningEffort: string | null;
}

/** The answer a chat stand-in sends: content and/or tool calls, and the tokens it reports. */
export interface ChatAnswer {
  readonly content: string | null;
  /** What the model thought, for the server's reasoning field (`ChatFlavour.reasoningField`); null for none. */
  readonly reasoning: string | null;
  readonly toolCalls: readonly BrainToolCallMade[];
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const badRequest = (message: string) => new Rejection(errorReply(400, message));

/** Reads a Chat Completions body; a malformed one is rejected with a 400 as OpenAI does. */
export function parseChatRequest(body: unknown): ChatRequest {
  const request = body as Record<string, unknown>;
  if (typeof request !== 'object' || request === null) throw badRequest('The request body must be a JSON object.');
  if (!Array.isArray(request.messages)) throw badRequest("Missing required parameter: 'messages'.");
  const format = request.response_format as Record<string, unknown> | undefined;
  const options = request.stream_options as { include_usage?: boolean } | undefined;
  const effort = request.reasoning_effort ?? (request.reasoning as { effort?: unknown } | undefined)?.effort;
  return {
    model: String(request.model ?? ''),
    stream: request.stream === true,
    includeUsage: options?.include_usage === true,
    messages: readMessages(request.messages),
    tools: readTools(request.tools),
    toolChoice: readToolChoice(request.tool_choice),
    responseFormatType: typeof format?.type === 'string' ? format.type : null,
    responseFormat: readResponseFormat(format),
    reasoningEffort: typeof effort === 'string' ? effort : null,
  };
}

function readMessages(raw: readonly unknown[]): BrainMessage[] {
  const toolNames = new Map<string, string>();
  return raw.map((entry) => {
    const message = entry as { role?: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string };
    const toolCalls = Array.isArray(message.tool_calls)
      ? message.tool_calls.map((call: { id?: string; function?: { name?: string; arguments?: string } }) => ({
          id: String(call.id ?? ''),
          name: String(call.function?.name ?? ''),
          arguments: String(call.function?.arguments ?? ''),
        }))
      : undefined;
    for (const call of toolCalls ?? []) toolNames.set(call.id, call.name);
    const role = message.role === 'developer' ? 'system' : (message.role as BrainMessage['role']);
    if (role === 'tool')
      return { role, content: textOf(message.content), toolCallId: message.tool_call_id ?? '', toolName: toolNames.get(message.tool_call_id ?? '') ?? '' };
    return { role, content: textOf(message.content), ...(toolCalls ? { toolCalls } : {}) };
  });
}

/** Text of a message's content: a string, or the text of its parts joined with newlines. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('\n');
}

function readTools(raw: unknown): BrainTool[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((tool: { function?: { name?: string; description?: string; parameters?: unknown; strict?: boolean } }) => ({
    name: String(tool.function?.name ?? ''),
    description: String(tool.function?.description ?? ''),
    parameters: tool.function?.parameters ?? {},
    ...(typeof tool.function?.strict === 'boolean' ? { strict: tool.function.strict } : {}),
  }));
}

function readToolChoice(raw: unknown): ToolChoice | undefined {
  if (raw === 'auto' || raw === 'none' || raw === 'required') return raw;
  const named = raw as { function?: { name?: string } } | undefined;
  return named?.function?.name ? { name: named.function.name } : undefined;
}

/** `response_format` normalised; null for none, `text` and unknown types (the rules see the raw type). */
export function readResponseFormat(format: Record<string, unknown> | undefined): ResponseFormat | null {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return null;
  const spec = (format.json_schema ?? {}) as { name?: string; schema?: Record<string, unknown>; strict?: boolean };
  return { type: 'json_schema', name: String(spec.name ?? ''), schema: spec.schema ?? {}, strict: spec.strict === true };
}

/** Per-server parts of a `chat.completion` body and of its stream. */
export interface ChatFlavour {
  /** The completion's `id` for the n-th request. */
  completionId(requestIndex: number): string;
  /** A tool call's `id`. */
  toolCallId(requestIndex: number, callIndex: number): string;
  /** Adds or changes server-specific fields of the non-streaming body. */
  shape?(body: Record<string, unknown>, message: Record<string, unknown>): void;
  /** The message / delta field that carries the model's reasoning; absent: the server sends none. */
  readonly reasoningField?: 'reasoning_content' | 'reasoning';
  /** The stream deltas that carry one tool call. @default OpenAI's: id and name first, then argument fragments (chat-stream.ts) */
  toolCallDeltas?(call: BrainToolCallMade, index: number): Array<Record<string, unknown>>;
  /** false: the stream has no usage chunk even when `stream_options.include_usage` asks for one. @default true */
  readonly streamsUsage?: boolean;
}

/** The documented `created` is a Unix time; a fixed one keeps answers deterministic. */
export const CREATED = 1_767_225_600;

/** `stop`, or `tool_calls` when the answer calls tools. */
export const finishReason = (answer: ChatAnswer) => (answer.toolCalls.length ? 'tool_calls' : 'stop');

/** A tool call as a `chat.completion` message carries it. */
export const wireToolCall = (call: BrainToolCallMade) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } });

/** The `usage` object every chat server here reports. */
export const chatUsage = (answer: ChatAnswer) => ({
  prompt_tokens: answer.promptTokens,
  completion_tokens: answer.completionTokens,
  total_tokens: answer.promptTokens + answer.completionTokens,
});

/** A non-streaming `chat.completion` object. */
export function chatCompletionBody(flavour: ChatFlavour, requestIndex: number, model: string, answer: ChatAnswer) {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: answer.content,
    ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls.map(wireToolCall) } : {}),
    ...(flavour.reasoningField && answer.reasoning !== null ? { [flavour.reasoningField]: answer.reasoning } : {}),
  };
  const body: Record<string, unknown> = {
    id: flavour.completionId(requestIndex),
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
    usage: chatUsage(answer),
  };
  flavour.shape?.(body, message);
  return body;
}
