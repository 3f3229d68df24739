import { afterEach, describe, expect, it } from 'vitest';
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
  createTaskBrain,
  startLlamaCppServer,
  startLmStudioServer,
  startOllamaServer,
  startOpenAIChatServer,
  startOpenAIResponsesServer,
  startUnauthorizedServer,
  startVllmServer,
} from './servers/index.ts';

afterEach(closeStarted);

// `streamPlan` (issue 11, Wanted 5) streams the planner's request (`stream: true`) and reads the
// plan as its pieces come in: the stand-ins' documented streams (Chat Completions chunks with the
// content in two deltas, OpenAI Responses events) carry it; nothing new was needed from them.

describe('streamPlan on each server', () => {
  // llama.cpp's default `--reasoning-format auto` streams a thinking model's reasoning as
  // `reasoning_content`, which the AI SDK does not hand on as text: the plan's text is JSON from
  // its start, and s1 starts early. Under `--reasoning-format none` a chatty model's answer is its
  // <think> block, then prose ("Here is the result:", model behaviour), then the JSON: an answer
  // that is not JSON from its start (after complete leading reasoning blocks) is read whole, since
  // the words before it may be reasoning a chat template opened; so no step starts early there.
  it.each([
    ['OpenAI Chat Completions (strict)', () => startOpenAIChatServer({ brain }), chatModels, PROMPT_AND_TOOL_SHAPES, true],
    ['Ollama', () => startOllamaServer({ brain }), chatModels, PROMPT_AND_TOOL_SHAPES, true],
    ['vLLM', () => startVllmServer({ brain }), chatModels, PROMPT_AND_TOOL_SHAPES, true],
    [
      'llama.cpp, a thinking model (reasoning in reasoning_content)',
      () => startLlamaCppServer({ brain: createTaskBrain({ thinks: true }) }),
      chatModels,
      PROMPT_AND_TOOL_SHAPES,
      true,
    ],
    [
      'llama.cpp --reasoning-format none, a chatty thinking model (a <think> block, then prose around the plan)',
      () => startLlamaCppServer({ brain: createTaskBrain({ thinks: true, chatty: true }), reasoningFormat: 'none' }),
      chatModels,
      PROMPT_AND_TOOL_SHAPES,
      false,
    ],
    ['LM Studio', () => startLmStudioServer({ brain }), chatModels, PROMPT_AND_TOOL_SHAPES, true],
    ['OpenAI Responses (strict), the planner native', () => startOpenAIResponsesServer({ brain }), responsesModels, NATIVE_SHAPES, true],
  ])('%s: the plan is streamed and the run completes as without', async (_name, start, models, shapes, early) => {
    const server = await started(start());

    const run = await runTask(models(server.baseURL), { streamPlan: true });

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(shapes);
    expect(server.requests.map((request) => (request.body as { stream?: boolean }).stream === true)).toEqual([true, false, false, false, false, false]);
    // The first half of the streamed content already holds s2's beginning: s1 started while the plan was written.
    expect(run.events.flatMap((event) => (event.type === 'step-started' ? [[event.stepId, event.early ?? false]] : []))).toEqual([
      ['s1', early],
      ['s2', false],
    ]);
  });

  it("counts the streamed plan's tokens as the unstreamed one's (the usage chunk `stream_options.include_usage` asks for)", async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const streamed = await runTask(chatModels(server.baseURL), { streamPlan: true });
    const whole = await runTask(chatModels(server.baseURL));

    const planner = (run: typeof whole) => run.result.usage.byRole.planner;
    expect(planner(streamed).totalTokens).toBeGreaterThan(0);
    expect(planner(streamed)).toEqual(planner(whole));
    const options = (index: number) => (server.requests[index]!.body as { stream_options?: unknown }).stream_options;
    expect(options(0)).toEqual({ include_usage: true });
  });

  it('LM Studio sends no usage chunk, though `stream_options.include_usage` asks for one: the streamed plan reports no tokens, so the run counts none for the planner', async () => {
    const server = await started(startLmStudioServer({ brain }));

    const streamed = await runTask(chatModels(server.baseURL), { streamPlan: true });

    await expectCompleted(streamed, server);
    expect((server.requests[0]!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(streamed.result.usage.byRole.planner).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    const plannerCalls = streamed.events.flatMap((event) => (event.type === 'model-called' && event.role === 'planner' ? [event.usage] : []));
    expect(plannerCalls).toEqual([{ inputTokens: 0, outputTokens: 0, totalTokens: 0 }]);
  });

  it('a refused API key (401) on the streamed plan: MODEL_REQUEST_REJECTED after one call, as without', async () => {
    const server = await started(startUnauthorizedServer());

    const { result } = await runTask(chatModels(server.baseURL), { streamPlan: true });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'MODEL_REQUEST_REJECTED',
      message: expect.stringMatching(/^The model server refused the planner's request \(HTTP 401\): Incorrect API key provided: /),
    });
    expect(server.requests).toHaveLength(1);
    expect((server.requests[0]!.body as { stream?: boolean }).stream).toBe(true);
  });
});
