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
  createTaskBrain,
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
  type StandInServer,
} from './servers/index.ts';

// Issue 8, "Wanted 5": the same tool-using task (write a file, read it back, report its content) on
// one loopback stand-in per server behaviour. Each run ends `completed` with the tool calls really
// made and the file really on disk, or with a clear error. The executor's `text` mode on each:
// conformance-text.test.ts.

afterEach(closeStarted);

describe('the write-then-read task on each server', () => {
  // A chatty thinking model: reasoning before each answer, prose around the JSON it writes in prompt mode (the planner's).
  const chattyThinker = createTaskBrain({ thinks: true, chatty: true });

  it.each([
    ['OpenAI Chat Completions (strict)', () => startOpenAIChatServer({ brain }), 'qwen3:4b'],
    ['Ollama, a thinking model (reasoning in `reasoning`)', () => startOllamaServer({ brain: createTaskBrain({ thinks: true }) }), 'qwen3:4b'],
    ['Ollama, a model that does not think', () => startOllamaServer({ brain }), 'llama3.1:8b'],
    ['vLLM (response_format wins over tools)', () => startVllmServer({ brain }), 'qwen3:4b'],
    [
      'llama.cpp, a chatty thinking model (reasoning in reasoning_content, prose around the plan)',
      () => startLlamaCppServer({ brain: chattyThinker }),
      'qwen3:4b',
    ],
    [
      'llama.cpp --reasoning-format none, a chatty thinking model (<think> and prose around the plan)',
      () => startLlamaCppServer({ brain: chattyThinker, reasoningFormat: 'none' }),
      'qwen3:4b',
    ],
    ['LM Studio (rejects json_object)', () => startLmStudioServer({ brain }), 'qwen3:4b'],
  ])('%s: completes with tool mode, the file on disk', async (_name, start, model) => {
    const server = await started(start());

    const run = await runTask(chatModels(server.baseURL, model));

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

  it('Ollama, a model that does not think, with native forced on the executor: the steps fabricate (no tool call, no file) and each warns', async () => {
    const server = await started(startOllamaServer({ brain }));
    const { planner, executor } = chatModels(server.baseURL, 'llama3.1:8b');

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

  it('Ollama, a thinking model, with native forced on the executor: the format waits for the content, so the tool calls get out and the run completes', async () => {
    const server = await started(startOllamaServer({ brain: createTaskBrain({ thinks: true }) }));
    const { planner, executor } = chatModels(server.baseURL, 'qwen3:4b');

    const run = await runTask((tools) => ({ planner, executor: createExecutorAgent({ model: executor, tools, structuredOutput: 'native' }) }));

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(['tools[] format:false', ...Array(4).fill('tools[writeFile,readFile] format:true'), 'tools[] format:false']);
  });

  it('a rate limit with Retry-After: 1 (a server that sends one), twice: each wait lasts the second asked for, and the run completes', async () => {
    const server = await started(startRateLimitedServer({ brain, retryAfterSeconds: 1 }));

    const run = await runTask(chatModels(server.baseURL), { maxRetries: 2 });

    await expectCompleted(run, server);
    expect(server.requests.slice(0, 3).map((request) => request.status)).toEqual([429, 429, 200]);
    expect(gaps(server, 3).map((gap) => gap >= 1000)).toEqual([true, true]);
  }, 20_000);

  // The exact delays (500 ms base, doubling, equal jitter) are tests/engine/retry-delay.test.ts's; here they only have to happen.
  it("a rate limit as OpenAI's own (no Retry-After), twice: the library's own backoff (at least 250 ms, then 500 ms), and the run completes", async () => {
    const server = await started(startRateLimitedServer({ brain }));

    const run = await runTask(chatModels(server.baseURL), { maxRetries: 2 });

    await expectCompleted(run, server);
    expect(server.requests.slice(0, 3).map((request) => request.status)).toEqual([429, 429, 200]);
    const [first, second] = gaps(server, 3);
    expect([first! >= 250, second! >= 500]).toEqual([true, true]);
  }, 20_000);
});

/** The milliseconds between the arrivals of the first `count` requests. */
function gaps(server: StandInServer, count: number): number[] {
  const arrivals = server.requests.slice(0, count).map((request) => request.receivedAt);
  return arrivals.slice(1).map((arrival, index) => arrival - arrivals[index]!);
}

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

  it("more 429s than retries (no Retry-After): MODEL_CALL_FAILED after maxRetries + 1 requests, with the server's message", async () => {
    const server = await started(startRateLimitedServer({ brain, failures: 5 }));

    const { result, events } = await runTask(chatModels(server.baseURL), { maxRetries: 2 });

    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'MODEL_CALL_FAILED',
      message:
        "The planner's model call failed (HTTP 429): Rate limit reached for qwen3:4b in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.",
    });
    expect(server.requests.map((request) => request.status)).toEqual([429, 429, 429]);
    expect(events.flatMap((event) => (event.type === 'model-called' ? [[event.role, event.error]] : []))).toEqual(
      Array(3).fill(['planner', 'MODEL_CALL_FAILED']),
    );
  }, 20_000);

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
