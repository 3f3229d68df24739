import { CREATED } from './chat-wire.ts';
import type { SseEvent } from './core.ts';
import type { OutputItem, ResponsesRequest } from './responses-wire.ts';

// The response object (https://platform.openai.com/docs/api-reference/responses/object) and its
// streaming events (https://platform.openai.com/docs/api-reference/responses-streaming):
// response.created, response.in_progress, then per output item output_item.added, the text
// (content_part.added, output_text.delta…, output_text.done, content_part.done) or the arguments
// (function_call_arguments.delta / .done), output_item.done; finally response.completed.

/** Tokens a Responses answer reports. */
export interface ResponsesUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The `response` object of a completed answer. */
export function responseBody(
  requestIndex: number,
  request: ResponsesRequest,
  output: readonly OutputItem[],
  usage: ResponsesUsage,
  body: Record<string, unknown>,
) {
  return {
    id: `resp_standin${requestIndex}`,
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    model: request.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: request.previousResponseId,
    store: request.store,
    temperature: 1,
    text: { format: (body.text as { format?: unknown } | undefined)?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
    metadata: {},
  };
}

/** The SSE events of `response` (a completed response object), in the documented order. */
export function responseEvents(response: ReturnType<typeof responseBody>): SseEvent[] {
  const events: SseEvent[] = [];
  const emit = (type: string, fields: Record<string, unknown>) => events.push({ event: type, data: { type, sequence_number: events.length, ...fields } });
  const pending = { ...response, status: 'in_progress', output: [], usage: null };
  emit('response.created', { response: pending });
  emit('response.in_progress', { response: pending });
  for (const [outputIndex, item] of response.output.entries()) itemEvents(item, outputIndex, emit);
  emit('response.completed', { response });
  return events;
}

function itemEvents(item: OutputItem, outputIndex: number, emit: (type: string, fields: Record<string, unknown>) => void) {
  const at = { item_id: item.id, output_index: outputIndex };
  if (item.type === 'function_call') {
    emit('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
    emit('response.function_call_arguments.delta', { ...at, delta: item.arguments });
    emit('response.function_call_arguments.done', { ...at, arguments: item.arguments });
  } else {
    const part = (item.content as Array<{ text: string }>)[0]!;
    const middle = Math.ceil(part.text.length / 2);
    emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
    emit('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } });
    for (const delta of [part.text.slice(0, middle), part.text.slice(middle)])
      if (delta) emit('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
    emit('response.output_text.done', { ...at, content_index: 0, text: part.text, logprobs: [] });
    emit('response.content_part.done', { ...at, content_index: 0, part });
  }
  emit('response.output_item.done', { output_index: outputIndex, item });
}
