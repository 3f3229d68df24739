import { type ChatAnswer, type ChatFlavour, CREATED, chatUsage, finishReason } from './chat-wire.ts';
import type { SseEvent } from './core.ts';
import type { BrainToolCallMade } from './types.ts';

// The `chat.completion.chunk` stream (https://platform.openai.com/docs/api-reference/chat-streaming).
// How a tool call is streamed differs per server, so each flavour may say (ChatFlavour.toolCallDeltas);
// the default is OpenAI's own, documented in the function-calling guide
// (https://platform.openai.com/docs/guides/function-calling?api-mode=chat#streaming): the first
// delta carries `index`, `id`, `type` and the name with `arguments: ""`, every later one only
// `index` and an argument fragment. A captured gpt-3.5-turbo-0125 stream shows the same wire form,
// id and type absent after the first delta (vercel/ai packages/openai/src/openai-chat-language-model.test.ts,
// "should stream tool deltas", commit 94bfb85db9a8a46ca2a9e7ba2863fa93267bf066).

/** `text` cut into three fragments of about equal length (empty ones left out), as a model's tokens arrive. */
export function argumentPieces(text: string): string[] {
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter(Boolean);
}

/** OpenAI's stream of one tool call: id, type and name with empty arguments, then the argument fragments. */
export function openAIToolCallDeltas(call: BrainToolCallMade, index: number): Array<Record<string, unknown>> {
  return [
    { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] },
    ...argumentPieces(call.arguments).map((piece) => ({ tool_calls: [{ index, function: { arguments: piece } }] })),
  ];
}

/**
 * The events of a streamed answer: the role, the reasoning (in the flavour's reasoning field, when
 * it has one), the content in two deltas, each tool call as the flavour streams it, the finish
 * reason, then (with `include_usage`, on servers that honour it) a chunk with empty `choices` and
 * the usage, and `[DONE]`.
 */
export function chatCompletionChunks(flavour: ChatFlavour, requestIndex: number, model: string, answer: ChatAnswer, includeUsage: boolean): SseEvent[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: { id: flavour.completionId(requestIndex), object: 'chat.completion.chunk', created: CREATED, model, choices, ...extra },
  });
  const delta = (value: Record<string, unknown>, finish: string | null = null) => chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);
  const events = [delta({ role: 'assistant', content: '' })];
  if (flavour.reasoningField && answer.reasoning !== null) events.push(delta({ [flavour.reasoningField]: answer.reasoning }));
  const content = answer.content ?? '';
  const middle = Math.ceil(content.length / 2);
  for (const piece of [content.slice(0, middle), content.slice(middle)]) if (piece) events.push(delta({ content: piece }));
  const toolCallDeltas = flavour.toolCallDeltas ?? openAIToolCallDeltas;
  for (const [index, call] of answer.toolCalls.entries()) for (const value of toolCallDeltas(call, index)) events.push(delta(value));
  events.push(delta({}, finishReason(answer)));
  if (includeUsage && flavour.streamsUsage !== false) events.push(chunk([], { usage: chatUsage(answer) }));
  events.push({ data: '[DONE]' });
  return events;
}
