import { createOpenAI } from '@ai-sdk/openai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { modelsFromEnv } from '../../src/models.ts';
import { PlanAndExecute, type PlanAndExecuteOptions } from '../../src/plan-and-execute.ts';
import { asMastraModel } from '../../src/testing/index.ts';
import { createFileTools } from '../../src/tools/file-tools.ts';
import { Workspace } from '../../src/tools/workspace.ts';
import {
  closedLoopbackAddress,
  createTaskBrain,
  dataBlocks,
  NOTE_CONTENT,
  NOTE_PATH,
  NOTE_TASK,
  promptText,
  requestRole,
  startLlamaCppServer,
  startLmStudioServer,
  startNoToolsServer,
  startOllamaServer,
  startOpenAIChatServer,
  startOpenAIResponsesServer,
  startRateLimitedServer,
  startUnauthorizedServer,
  startVllmServer,
  THINK_BLOCK,
  type StandInServer,
} from './servers/index.ts';

// Issue 8, "Wanted 5": the same tool-using task (write a file, read it back, report its content) on
// one loopback stand-in per server behaviour. Each run ends `completed` with the tool calls really
// made and the file really on disk, or with a clear error.

const brain = createTaskBrain();
const FINAL_ANSWER = `The file ${NOTE_PATH} contains: ${NOTE_CONTENT}`;
const servers: StandInServer[] = [];
const workspaces: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(workspaces.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function started(server: Promise<StandInServer>): Promise<StandInServer> {
  servers.push(await server);
  return servers.at(-1)!;
}

/** The file tools on a fresh temp workspace (removed after the test). */
async function fileTools() {
  const dir = await mkdtemp(join(tmpdir(), 'conformance-'));
  workspaces.push(dir);
  const { readFile: read, writeFile: write } = createFileTools(await Workspace.create(dir));
  return { dir, tools: { writeFile: write, readFile: read } };
}

/** The role models a user gets from the environment for a server at `baseURL` (Chat Completions). */
const chatModels = (baseURL: string) =>
  modelsFromEnv({ OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'sk-test', PLANNER_MODEL: 'qwen3:4b', EXECUTOR_MODEL: 'qwen3:4b' });

type Roles = Pick<PlanAndExecuteOptions, 'planner' | 'executor'>;

/**
 * Runs the task with the file tools on a fresh workspace: given models, the tools go to the
 * default executor agent; given a function, it builds the roles (an executor Agent) from the tools.
 */
async function runTask(roles: Roles | ((tools: Awaited<ReturnType<typeof fileTools>>['tools']) => Roles), options: Partial<PlanAndExecuteOptions> = {}) {
  const { dir, tools } = await fileTools();
  const events: PlanRunEvent[] = [];
  const agent = new PlanAndExecute(typeof roles === 'function' ? { ...roles(tools), ...options } : { ...roles, tools, ...options });
  const result = await agent.run(NOTE_TASK, { onEvent: (event) => void events.push(event) });
  return { result, events, dir };
}

/** The names of the tools each request offered, and whether it carried a response format. */
function requestShapes(server: StandInServer): string[] {
  return server.requests.map((request) => {
    const body = request.body as { tools?: Array<{ name?: string; function?: { name: string } }>; response_format?: unknown; text?: { format?: unknown } };
    const tools = (body.tools ?? []).map((tool) => tool.function?.name ?? tool.name).join(',');
    return `tools[${tools}] format:${body.response_format !== undefined || body.text?.format !== undefined}`;
  });
}

async function expectCompleted(run: Awaited<ReturnType<typeof runTask>>, server: StandInServer) {
  const { result, dir } = run;
  expect(result.error).toBeNull();
  expect(result.status).toBe('completed');
  expect(result.steps.map((attempt) => [attempt.stepId, attempt.status, attempt.toolCalls])).toEqual([
    ['s1', 'done', 1],
    ['s2', 'done', 1],
  ]);
  expect(result.plan.map((step) => [step.id, step.toolHint, step.output])).toEqual([
    ['s1', 'writeFile', expect.stringContaining(NOTE_PATH)],
    ['s2', 'readFile', NOTE_CONTENT],
  ]);
  expect(result.finalOutput).toBe(FINAL_ANSWER);
  expect(await readFile(join(dir, NOTE_PATH), 'utf8')).toBe(NOTE_CONTENT);
  // The tool calls really went out to the client and came back as results.
  expect(server.exchanges.flatMap((exchange) => exchange.toolCallsSent.map((call) => call.name)).filter((name) => name !== 'report_step_outcome')).toEqual([
    'writeFile',
    'readFile',
  ]);
}

// auto on any server but OpenAI's own API: planner `prompt`, executor `tool`.
const PROMPT_AND_TOOL = [
  'tools[] format:false',
  'tools[writeFile,readFile,report_step_outcome] format:false',
  'tools[writeFile,readFile,report_step_outcome] format:false',
  'tools[writeFile,readFile,report_step_outcome] format:false',
  'tools[writeFile,readFile,report_step_outcome] format:false',
  'tools[] format:false',
];

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
    expect(requestShapes(server)).toEqual(PROMPT_AND_TOOL);
  });

  it('OpenAI Responses (strict): completes in native mode, tools and the response format together', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));
    const model = asMastraModel(createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test' })('gpt-4o-mini'));

    const run = await runTask({ planner: model, executor: model });

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(['tools[] format:true', ...Array(4).fill('tools[writeFile,readFile] format:true'), 'tools[] format:false']);
  });

  it('OpenAI Chat Completions with native chosen per role: completes, the server honouring tools and the format together', async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const { planner, executor } = chatModels(server.baseURL);

    const run = await runTask((tools) => ({
      planner: createPlannerAgent({ model: planner, structuredOutput: 'native' }),
      executor: createExecutorAgent({ model: executor, tools, structuredOutput: 'native' }),
    }));

    await expectCompleted(run, server);
    expect(requestShapes(server)).toEqual(['tools[] format:true', ...Array(4).fill('tools[writeFile,readFile] format:true'), 'tools[] format:false']);
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

// The executor's `text` mode (issue 11) is a plain chat request with tools: no response format, no
// report tool, the answer read as written. It relies only on behaviour the stand-ins already
// document (tools without a response format, and llama.cpp's think block in the content); nothing
// new was needed from the servers.

/** The Responses stand-in's roles: one `openai(model)` (OpenAI's own API, so `auto` is `native`). */
const responsesModels = (baseURL: string) => {
  const model = asMastraModel(createOpenAI({ baseURL, apiKey: 'sk-test' })('gpt-4o-mini'));
  return { planner: model, executor: model };
};

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
    ['llama.cpp (its <think> block stripped from the output)', () => startLlamaCppServer({ brain }), chatModels, false, THINK_BLOCK],
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
    ['llama.cpp (FAILED: after its <think> block)', () => startLlamaCppServer({ brain }), THINK_BLOCK],
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
