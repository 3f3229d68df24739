import { textOf } from './chat-wire.ts';
import { errorReply, Rejection } from './core.ts';
import type { BrainMessage, BrainTool, ResponseFormat } from './types.ts';

// The Responses API wire format (https://platform.openai.com/docs/api-reference/responses/create):
// `input` is a string or a list of items — messages (`role` system/developer/user/assistant, text
// or content parts), `function_call` and `function_call_output` items, `item_reference`s to items
// the API stored (`store` defaults to true); `instructions` is a system message not counted as
// input; function tools are flat (`{type: "function", name, parameters, strict}`); the structured
// output request is `text.format`. @ai-sdk/openai's `openai(model)` sends exactly this (request
// shape captured from its 4.0.118 build: see servers-report.md).

/** A Responses request body, read into the parts the rules and brains use. */
export interface ResponsesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly store: boolean;
  /** The conversation: `instructions` first (as system), then the input items in order. */
  readonly messages: readonly BrainMessage[];
  /** Text of the input messages only (the `json_object` rule checks these, not `instructions`). */
  readonly inputText: string;
  readonly tools: readonly BrainTool[];
  readonly toolChoice: unknown;
  /** `text.format.type` as sent; null when absent. */
  readonly formatType: string | null;
  readonly responseFormat: ResponseFormat | null;
  /** `previous_response_id`, or null. */
  readonly previousResponseId: string | null;
}

/** An output item as the API returns it (message or function_call). */
export type OutputItem = Record<string, unknown> & { readonly id: string; readonly type: 'message' | 'function_call' };

/** Stored output items by id, for `item_reference`. */
export type ItemStore = ReadonlyMap<string, OutputItem>;

const badRequest = (message: string, param: string | null = null) => new Rejection(errorReply(400, message, { param }));

/** Reads a Responses body; an unknown `item_reference` is a 400 as the API answers. */
export function parseResponsesRequest(body: unknown, items: ItemStore): ResponsesRequest {
  const request = body as Record<string, unknown>;
  if (typeof request !== 'object' || request === null) throw badRequest('The request body must be a JSON object.');
  const input = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
  if (!Array.isArray(input)) throw badRequest("Missing required parameter: 'input'.", 'input');
  const resolved = input.map((item: Record<string, unknown>) => resolveReference(item, items));
  const inputMessages = readItems(resolved);
  const instructions = typeof request.instructions === 'string' ? [{ role: 'system' as const, content: request.instructions }] : [];
  const format = (request.text as { format?: Record<string, unknown> } | undefined)?.format;
  return {
    model: String(request.model ?? ''),
    stream: request.stream === true,
    store: request.store !== false,
    messages: [...instructions, ...inputMessages],
    inputText: inputMessages.map((message) => message.content).join('\n'),
    tools: readTools(request.tools),
    toolChoice: request.tool_choice,
    formatType: typeof format?.type === 'string' ? format.type : null,
    responseFormat: readFormat(format),
    previousResponseId: typeof request.previous_response_id === 'string' ? request.previous_response_id : null,
  };
}

function resolveReference(item: Record<string, unknown>, items: ItemStore): Record<string, unknown> {
  if (item.type !== 'item_reference') return item;
  const stored = items.get(String(item.id));
  if (!stored) throw badRequest(`Item with id '${String(item.id)}' not found.`, 'input');
  return stored;
}

/** Input or output items as brain messages (tool results named after the call they answer). */
export function readItems(items: readonly Record<string, unknown>[]): BrainMessage[] {
  const toolNames = new Map<string, string>();
  const messages: BrainMessage[] = [];
  for (const item of items) {
    if (item.type === 'function_call') {
      toolNames.set(String(item.call_id), String(item.name));
      messages.push({
        role: 'assistant',
        content: '',
        toolCalls: [{ id: String(item.call_id), name: String(item.name), arguments: String(item.arguments ?? '') }],
      });
    } else if (item.type === 'function_call_output') {
      const callId = String(item.call_id);
      messages.push({ role: 'tool', content: textOf(item.output), toolCallId: callId, toolName: toolNames.get(callId) ?? '' });
    } else if (typeof item.role === 'string') {
      const role = item.role === 'developer' ? 'system' : (item.role as BrainMessage['role']);
      messages.push({ role, content: textOf(item.content) });
    }
    // Other items (reasoning, …) carry nothing a brain reads.
  }
  return messages;
}

function readTools(raw: unknown): BrainTool[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((tool: { type?: string }) => tool.type === 'function')
    .map((tool: { name?: string; description?: string; parameters?: unknown; strict?: boolean }) => ({
      name: String(tool.name ?? ''),
      description: String(tool.description ?? ''),
      parameters: tool.parameters ?? {},
      ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    }));
}

function readFormat(format: Record<string, unknown> | undefined): ResponseFormat | null {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return null;
  return { type: 'json_schema', name: String(format.name ?? ''), schema: (format.schema ?? {}) as Record<string, unknown>, strict: format.strict === true };
}

/** The output items of an answer: one message when there is content, then one item per tool call. */
export function outputItems(requestIndex: number, content: string | null, toolCalls: ReadonlyArray<{ name: string; arguments: unknown }>): OutputItem[] {
  const message: OutputItem[] =
    content === null
      ? []
      : [
          {
            id: `msg_standin${requestIndex}`,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: content, annotations: [], logprobs: [] }],
          },
        ];
  const calls: OutputItem[] = toolCalls.map((call, index) => ({
    id: `fc_standin${requestIndex}x${index}`,
    type: 'function_call',
    status: 'completed',
    call_id: `call_standin${requestIndex}x${index}`,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  return [...message, ...calls];
}
