import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import {
  brain,
  chatModels,
  closeStarted,
  expectCompleted,
  NATIVE_SHAPES,
  PROMPT_AND_TOOL_SHAPES,
  requestShapes,
  responsesModels,
  runTask,
  started,
} from './conformance-harness.ts';
import {
  closedLoopbackAddress,
  NOTE_PATH,
  startLlamaCppServer,
  startLmStudioServer,
  startNoToolsServer,
  startOllamaServer,
  startOpenAIChatServer,
  startOpenAIResponsesServer,
  startRateLimitedServer,
  startUnauthorizedServer,
  startVllmServer,
} from './servers/index.ts';

// Issue 8, "Wanted 5": the same tool-using task (write a file, read it back, report its content) on
// one loopback stand-in per server behaviour. Each run ends `completed` with the tool calls really
// made and the file really on disk, or with a clear error. The executor's `text` mode on each:
// conformance-text.test.ts.

afterEach(closeStarted);

describe('the write-then-read task on each server', () => {
  it.each([
    ['OpenAI Chat Completions (strict)', () => startOpenAIChatServer({ brain })],
    ['Ollama (response_format wins over tools)', () => startOllamaServer({ brain })],
    ['vLLM (response_format wins over tools)', () => startVllmServer({ brain })],
    ['llama.cpp (json_schema not enforced, <think> and prose around the JSON)', () => startLlamaCppServer({ brain })],
    ['LM Studio (rejects json_object)', () => startLmStudioServer({ brain })],
  ])('%s: completes with tool mode, the file on disk', async (_name, start) => {
    const server = await started(start());

    const run = await runTask(chatModels(server.baseURL));

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(PROMPT_AND_TOOL_SHAPES);
  });

  it('OpenAI Responses (strict): completes in native mode, tools and the response format together', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));

    const run = await runTask(responsesModels(server.baseURL));

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(NATIVE_SHAPES);
  });

  it('OpenAI Chat Completions with native chosen per role: completes, the server honouring tools and the format together', async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const { planner, executor } = chatModels(server.baseURL);

    const run = await runTask((tools) => ({
      planner: createPlannerAgent({ model: planner, structuredOutput: 'native' }),
      executor: createExecutorAgent({ model: executor, tools, structuredOutput: 'native' }),
    }));

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(NATIVE_SHAPES);
  });

  it('Ollama with native forced on the executor: the steps fabricate (no tool call, no file) and each warns', async () => {
    const server = await started(startOllamaServer({ brain }));
    const { planner, executor } = chatModels(server.baseURL);

    const { result, events, dir } = await runTask((tools) => ({
      planner,
      executor: createExecutorAgent({ model: executor, tools, structuredOutput: 'native' }),
    }));

    expect(result.steps.map((attempt) => [attempt.stepId, attempt.toolCalls])).toEqual([
      ['s1', 0],
      ['s2', 0],
    ]);
    expect(events.filter((event) => event.type === 'step-warning').map((event) => 'stepId' in event && event.stepId)).toEqual(['s1', 's2']);
    await expect(readFile(join(dir, NOTE_PATH), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a rate limit (429 with Retry-After: 1, twice) is waited out and the run completes', async () => {
    const server = await started(startRateLimitedServer({ brain }));

    const run = await runTask(chatModels(server.baseURL), { maxRetries: 2 });

    await expectCompleted(run, server);
    expect(server.requests.slice(0, 3).map((request) => request.status)).toEqual([429, 429, 200]);
  }, 20_000);
});

describe('servers that cannot run the task end the run with a clear error', () => {
  it('a model without tool support: MODEL_REQUEST_REJECTED once the executor sends its tools', async () => {
    const server = await started(startNoToolsServer({ brain }));

    const { result, dir } = await runTask(chatModels(server.baseURL));

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'MODEL_REQUEST_REJECTED',
      message: expect.stringMatching(/^The model server refused the executor's request \(HTTP 400\): .*does not support tools$/),
    });
    expect(server.requests.map((request) => request.status)).toEqual([200, 400]);
    await expect(readFile(join(dir, NOTE_PATH), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a refused API key (401): MODEL_REQUEST_REJECTED after one call', async () => {
    const server = await started(startUnauthorizedServer());

    const { result } = await runTask(chatModels(server.baseURL));

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'MODEL_REQUEST_REJECTED',
      message: expect.stringMatching(/^The model server refused the planner's request \(HTTP 401\): Incorrect API key provided: /),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('an address nobody listens on: MODEL_UNAVAILABLE naming the URL', async () => {
    const address = await closedLoopbackAddress();

    const { result } = await runTask(chatModels(address.baseURL));

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(new RegExp(`^Cannot reach the model server at ${address.baseURL} for the planner: connect ECONNREFUSED`)),
    });
  });
});
