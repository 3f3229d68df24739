import { createOpenAI } from '@ai-sdk/openai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { modelsFromEnv } from '../../src/models.ts';
import { PlanAndExecute, type PlanAndExecuteOptions } from '../../src/plan-and-execute.ts';
import { asMastraModel } from '../../src/testing/index.ts';
import { createFileTools } from '../../src/tools/file-tools.ts';
import { Workspace } from '../../src/tools/workspace.ts';
import { createTaskBrain, NOTE_CONTENT, NOTE_PATH, NOTE_TASK, type StandInServer } from './servers/index.ts';

// What the conformance files share (issue 8, "Wanted 5"): the write-then-read task on a fresh
// workspace against a loopback stand-in, the request shapes and the completed run's exact values.

/** The task brain every conformance run uses. */
export const brain = createTaskBrain();
const FINAL_ANSWER = `The file ${NOTE_PATH} contains: ${NOTE_CONTENT}`;
const servers: StandInServer[] = [];
const workspaces: string[] = [];

/** Closes the stand-ins and removes the workspaces of the test that just ended: `afterEach(closeStarted)`. */
export async function closeStarted(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(workspaces.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A stand-in, closed after the test. */
export async function started(server: Promise<StandInServer>): Promise<StandInServer> {
  servers.push(await server);
  return servers.at(-1)!;
}

/** The file tools on a fresh temp workspace (removed after the test). */
export async function fileTools() {
  const dir = await mkdtemp(join(tmpdir(), 'conformance-'));
  workspaces.push(dir);
  const { readFile: read, writeFile: write } = createFileTools(await Workspace.create(dir));
  return { dir, tools: { writeFile: write, readFile: read } };
}

/** The role models a user gets from the environment for a server at `baseURL` (Chat Completions), both named `model`. */
export const chatModels = (baseURL: string, model = 'qwen3:4b') =>
  modelsFromEnv({ OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'sk-test', PLANNER_MODEL: model, EXECUTOR_MODEL: model });

/** The OpenAI Responses stand-in's roles: one `openai(model)` for both (OpenAI's own API, so `auto` is `native`). */
export function responsesModels(baseURL: string) {
  const model = asMastraModel(createOpenAI({ baseURL, apiKey: 'sk-test' })('gpt-4o-mini'));
  return { planner: model, executor: model };
}

/** The task's requests with `auto` on any server but OpenAI's own API: planner `prompt`, executor `tool`; the plan, 4 executor turns, the synthesis. */
export const PROMPT_AND_TOOL_SHAPES = [
  'tools[] format:false',
  ...Array(4).fill('tools[writeFile,readFile,report_step_outcome] format:false'),
  'tools[] format:false',
];

/** The same with both roles `native`: tools and the response format together. */
export const NATIVE_SHAPES = ['tools[] format:true', ...Array(4).fill('tools[writeFile,readFile] format:true'), 'tools[] format:false'];

type Roles = Pick<PlanAndExecuteOptions, 'planner' | 'executor'>;

/**
 * Runs the task with the file tools on a fresh workspace: given models, the tools go to the
 * default executor agent; given a function, it builds the roles (an executor Agent) from the tools.
 */
export async function runTask(roles: Roles | ((tools: Awaited<ReturnType<typeof fileTools>>['tools']) => Roles), options: Partial<PlanAndExecuteOptions> = {}) {
  const { dir, tools } = await fileTools();
  const events: PlanRunEvent[] = [];
  const agent = new PlanAndExecute(typeof roles === 'function' ? { ...roles(tools), ...options } : { ...roles, tools, ...options });
  const result = await agent.run(NOTE_TASK, { onEvent: (event) => void events.push(event) });
  return { result, events, dir };
}

/** The names of the tools each request offered, and whether it carried a response format. */
export function requestShapes(server: StandInServer): string[] {
  return server.requests.map((request) => {
    const body = request.body as { tools?: Array<{ name?: string; function?: { name: string } }>; response_format?: unknown; text?: { format?: unknown } };
    const tools = (body.tools ?? []).map((tool) => tool.function?.name ?? tool.name).join(',');
    return `tools[${tools}] format:${body.response_format !== undefined || body.text?.format !== undefined}`;
  });
}

/** The run completed with both steps done by one tool call each, the exact outputs and answer, the file on disk and the calls really sent. */
export async function expectCompleted(run: Awaited<ReturnType<typeof runTask>>, server: StandInServer) {
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
