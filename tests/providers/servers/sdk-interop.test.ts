import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from './brain-call.ts';
import { createTaskBrain, NOTE_CONTENT, THINKING } from './brain.ts';
import { startLlamaCppServer } from './llama-cpp.ts';
import { startLmStudioServer } from './lm-studio.ts';
import { startOllamaServer } from './ollama.ts';
import { startOpenAIChatServer } from './openai-chat.ts';
import { startOpenAIResponsesServer } from './openai-responses.ts';
import { closeAfterEach, stepText, TOOLS, WRITE_CALL, WRITE_STEP, WRITTEN, WROTE_OUTCOME } from './test-fixtures.ts';
import type { Brain, StandInServer } from './types.ts';
import { startVllmServer } from './vllm.ts';

// The stand-ins' answers parse in the client the library uses: @ai-sdk/openai 4 (Responses and
// Chat Completions models), non-streaming and streaming, through a two-turn tool loop. Streamed,
// each server sends its tool call in its own form (servers.test.ts, "streamed tool calls"): whole
// from Ollama, in fragments from the others; the tool receiving the exact arguments shows the SDK
// put the fragments back together.

const started = closeAfterEach();
const brain = createTaskBrain();

describe('the AI SDK reads every stand-in (@ai-sdk/openai over HTTP)', () => {
  const sdkTools = (written: unknown[]) => ({
    writeFile: tool({
      description: 'Writes a file',
      inputSchema: jsonSchema<{ path: string; content: string }>(TOOLS[0]!.function.parameters as never),
      execute: async (input) => (written.push(input), JSON.parse(WRITTEN)),
    }),
    readFile: tool({
      description: 'Reads a file',
      inputSchema: jsonSchema<{ path: string }>(TOOLS[1]!.function.parameters as never),
      execute: async () => ({ ok: true, content: NOTE_CONTENT }),
    }),
  });
  const starters = {
    'openai-responses': (options: { brain: Brain }) => startOpenAIResponsesServer(options),
    'openai-chat': (options: { brain: Brain }) => startOpenAIChatServer(options),
    ollama: startOllamaServer,
    vllm: startVllmServer,
    'llama-cpp': startLlamaCppServer,
    'lm-studio': startLmStudioServer,
  };

  it.each(
    Object.keys(starters).flatMap(
      (name) =>
        [
          [name, false],
          [name, true],
        ] as const,
    ),
  )('%s (stream: %s): the tool runs, then the outcome arrives with usage', async (name, streaming) => {
    const server = await started(starters[name as keyof typeof starters]({ brain }));
    const provider = createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test' });
    const model = name === 'openai-responses' ? provider('gpt-4o-mini') : provider.chat('qwen3:4b');
    const written: unknown[] = [];
    const options = { model, system: 'You are the executor.', prompt: stepText(WRITE_STEP), tools: sdkTools(written), stopWhen: stepCountIs(3) };
    const result = streaming ? streamText(options) : await generateText(options);
    const text = await result.text;
    expect(written).toEqual([WRITE_CALL.arguments]);
    expect(text).toBe(JSON.stringify(WROTE_OUTCOME));
    // LM Studio streams no usage chunk (lm-studio.ts): the SDK then reports none.
    expect((await result.totalUsage).outputTokens).toBe(name === 'lm-studio' && streaming ? undefined : completionTokensOf(server));
    expect(server.requests.map((request) => (request.body as { stream?: boolean }).stream === true)).toEqual([streaming, streaming]);
  });

  it.each([false, true])('llama.cpp with a thinking model (stream: %s): reasoning_content stays out of the text the library reads', async (streaming) => {
    const server = await started(startLlamaCppServer({ brain: createTaskBrain({ thinks: true }) }));
    const model = createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test' }).chat('qwen3:4b');
    const options = { model, system: 'You are the executor.', prompt: stepText(WRITE_STEP), tools: sdkTools([]), stopWhen: stepCountIs(3) };
    const result = streaming ? streamText(options) : await generateText(options);
    expect([await result.text, server.exchanges.map((exchange) => exchange.reasoningSent)]).toEqual([JSON.stringify(WROTE_OUTCOME), [THINKING, THINKING]]);
  });

  function completionTokensOf(server: StandInServer) {
    return server.exchanges.reduce(
      (sum, exchange) =>
        sum +
        estimateTokens((exchange.contentSent ?? '') + exchange.toolCallsSent.map((call) => call.name + JSON.stringify(call.arguments)).join('')) +
        (exchange.reasoningSent === null ? 0 : estimateTokens(exchange.reasoningSent)),
      0,
    );
  }
});
