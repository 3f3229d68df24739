import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { brain, chatModels, closeStarted, expectCompleted, fileTools, requestShapes, responsesModels, runTask, started } from './conformance-harness.ts';
import {
  createTaskBrain,
  dataBlocks,
  NOTE_CONTENT,
  promptText,
  requestRole,
  startLlamaCppServer,
  startLmStudioServer,
  startOllamaServer,
  startOpenAIChatServer,
  startOpenAIResponsesServer,
  startVllmServer,
  THINKING,
  thinkBlock,
  type StandInServer,
} from './servers/index.ts';

afterEach(closeStarted);

// The executor's `text` mode (issue 11) is a plain chat request with tools: no response format, no
// report tool, the answer read as written. It relies only on behaviour the stand-ins already
// document (tools without a response format; a thinking model's `<think>` block in the content, as
// llama.cpp leaves it under `--reasoning-format none`); nothing new was needed from the servers.

/** A thinking model behind llama.cpp `--reasoning-format none`: its reasoning stays in the content. */
const thinkingInContent = () => startLlamaCppServer({ brain: createTaskBrain({ thinks: true }), reasoningFormat: 'none' });
const THINK_BLOCK = thinkBlock(THINKING);

/** The run's requests with the executor in `text` mode: the plan (`format:true` when native), 4 executor turns, then the synthesis (or a replan in `prompt` mode). */
const textModeShapes = (plannerFormat: boolean) => [
  `tools[] format:${plannerFormat}`,
  ...Array(4).fill('tools[writeFile,readFile] format:false'),
  'tools[] format:false',
];

/** The executor's final answers as the client received them: plain text, never JSON. */
const executorAnswers = (server: StandInServer) =>
  server.exchanges.filter((exchange) => exchange.toolCallsSent.length === 0 && exchange.request.tools.length > 0).map((exchange) => exchange.contentSent);

describe('the executor in text mode on each server', () => {
  it.each([
    ['OpenAI Chat Completions (strict)', () => startOpenAIChatServer({ brain }), chatModels, false, ''],
    ['Ollama', () => startOllamaServer({ brain }), chatModels, false, ''],
    ['vLLM', () => startVllmServer({ brain }), chatModels, false, ''],
    ['llama.cpp --reasoning-format none, a thinking model (its <think> block stripped from the output)', thinkingInContent, chatModels, false, THINK_BLOCK],
    ['LM Studio', () => startLmStudioServer({ brain }), chatModels, false, ''],
    ['OpenAI Responses (strict), the planner native', () => startOpenAIResponsesServer({ brain }), responsesModels, true, ''],
  ])('%s: completes, the answers read as plain text', async (_name, start, models, plannerFormat, think) => {
    const server = await started(start());
    const { planner, executor } = models(server.baseURL);

    const run = await runTask((tools) => ({ planner, executor: createExecutorAgent({ model: executor, tools, structuredOutput: 'text' }) }));

    await expectCompleted(run, server);
    expect(run.result.plan.map((step) => step.output)).toEqual(['Wrote 19 bytes to note.txt.', NOTE_CONTENT]);
    expect(requestShapes(server)).toEqual(textModeShapes(plannerFormat));
    expect(executorAnswers(server)).toEqual([`${think}Wrote 19 bytes to note.txt.`, `${think}${NOTE_CONTENT}`]);
    const repairs = think ? ['think-block'] : [];
    const executorCalls = run.events.flatMap((event) =>
      event.type === 'model-called' && event.role === 'executor' ? [[event.stepId, event.mode, event.repairs]] : [],
    );
    expect(executorCalls).toEqual([
      ['s1', 'text', repairs],
      ['s2', 'text', repairs],
    ]);
  });

  it.each([
    ['Ollama', () => startOllamaServer({ brain }), ''],
    ['llama.cpp --reasoning-format none, a thinking model (FAILED: after its <think> block)', thinkingInContent, THINK_BLOCK],
  ])('%s: a step answered FAILED: fails with the error the model gave, and the run is aborted', async (_name, start, think) => {
    const server = await started(start());
    const { planner, executor } = chatModels(server.baseURL);
    // readFile looks in another, empty workspace: the write succeeds, the read finds no file.
    const elsewhere = await fileTools();

    const { result } = await runTask((tools) => ({
      planner,
      executor: createExecutorAgent({ model: executor, tools: { writeFile: tools.writeFile, readFile: elsewhere.tools.readFile }, structuredOutput: 'text' }),
    }));

    const missing = 'Cannot read "note.txt": no such file or directory (ENOENT)';
    expect(executorAnswers(server)).toEqual([`${think}Wrote 19 bytes to note.txt.`, `${think}FAILED: ${missing}`]);
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.status, attempt.toolCalls, attempt.error])).toEqual([
      ['s1', 'done', 1, null],
      ['s2', 'failed', 1, missing],
    ]);
    // Not retryable (the model said it cannot be done): the failure goes to the replanner with the model's error, and the brain aborts.
    expect(result.steps.map((attempt) => attempt.retryable)).toEqual([false, false]);
    expect(server.exchanges.map((exchange) => requestRole(exchange.request))).toEqual(['planner', ...Array(4).fill('executor'), 'replanner']);
    expect(requestShapes(server)).toEqual(textModeShapes(false));
    expect(dataBlocks(promptText(server.exchanges.at(-1)!.request)).find((block) => block.source === 'error')?.content).toBe(missing);
    expect(result.status).toBe('aborted');
    expect(result.error).toMatchObject({ code: 'RUN_ABORTED', message: 'The run was aborted: The task brain does not revise plans.' });
  });
});
