import { simulateReadableStream } from 'ai';
import type { MockLanguageModelV4 } from 'ai/test';
import type { ScriptedContent, ScriptedReply, ScriptedUsage } from './responses.ts';

// The LanguageModelV4 types, taken from the mock so that `@ai-sdk/provider` need not be a direct dependency.
/** The options of one `doGenerate` / `doStream` call (prompt, tools, responseFormat, abortSignal, …). */
export type ModelCallOptions = Parameters<MockLanguageModelV4['doGenerate']>[0];
/** The messages the model receives in one call: system, user, assistant and tool messages. */
export type ModelPrompt = ModelCallOptions['prompt'];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV4['doGenerate']>>;
type StreamResult = Awaited<ReturnType<MockLanguageModelV4['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
type ContentPart = GenerateResult['content'][number];

/** The V4 usage shape of `usage`. */
export function toModelUsage({ input, output }: ScriptedUsage): GenerateResult['usage'] {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

function toContentPart(part: ScriptedContent, callIndex: number, partIndex: number): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const defaultId = partIndex === 0 ? `call-${callIndex + 1}` : `call-${callIndex + 1}-${partIndex}`;
  return {
    type: 'tool-call',
    toolCallId: part.toolCallId ?? defaultId,
    toolName: part.toolName,
    input: JSON.stringify(part.input),
  };
}

function toFinishReason(reply: ScriptedReply): GenerateResult['finishReason'] {
  return reply.finishReason === 'stop' ? { unified: 'stop', raw: 'stop' } : { unified: 'tool-calls', raw: 'tool_calls' };
}

/** What `doGenerate` returns for `reply`, served as model call number `callIndex` (0-based). */
export function toGenerateResult(reply: ScriptedReply, callIndex: number): GenerateResult {
  return {
    content: reply.content.map((part, partIndex) => toContentPart(part, callIndex, partIndex)),
    finishReason: toFinishReason(reply),
    usage: toModelUsage(reply.usage),
    warnings: [],
  };
}

/** What `doStream` returns for `reply`: the same content as {@link toGenerateResult}, as stream parts. */
export function toStreamResult(reply: ScriptedReply, callIndex: number): StreamResult {
  const { content, finishReason, usage } = toGenerateResult(reply, callIndex);
  const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  content.forEach((part, partIndex) => {
    if (part.type === 'text') {
      const id = `text-${partIndex}`;
      parts.push({ type: 'text-start', id }, { type: 'text-delta', id, delta: part.text }, { type: 'text-end', id });
    } else {
      parts.push(part as StreamPart);
    }
  });
  parts.push({ type: 'finish', finishReason, usage });
  return { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }) };
}
