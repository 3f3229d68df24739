import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExecutorAgent, EXECUTOR_INSTRUCTIONS, executorPort } from '../../src/agents/executor.ts';
import { createPlannerAgent, PLANNER_INSTRUCTIONS, plannerPort } from '../../src/agents/planner.ts';
import { planPrompt, stepPrompt } from '../../src/agents/prompts.ts';
import { createDefaultAgents } from '../../src/mastra/default-agents.ts';
import { asMastraModel } from '../../src/testing/index.ts';
import { createAddTool } from '../helpers/agent-fixtures.ts';
import { httpErrorReply, jsonReply, startOpenAIStub, toolCallReply, type OpenAIStub, type StubScript } from '../helpers/openai-stub-server.ts';
import { addStepRequest, plan, step } from '../helpers/plans.ts';

// The request bodies each structured-output mode puts on the Chat Completions wire (issue 8).

const signal = new AbortController().signal;
const planRequest = { task: 'Add 1 and 2', tools: [{ name: 'add', description: 'Add two numbers' }], maxPlanSteps: 5, feedback: [], abortSignal: signal };
const stepRequest = addStepRequest(signal);
const DONE = { success: true, output: '3', error: null };
const ADD_TOOL = {
  type: 'function',
  function: {
    name: 'add',
    description: 'Add two numbers',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
      additionalProperties: false,
    },
  },
};
const REPORT_TOOL = {
  type: 'function',
  function: {
    name: 'report_step_outcome',
    description: 'Report the step outcome once, after your other tool calls have returned; ends the step.',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        success: { type: 'boolean', description: 'false if the step cannot be done' },
        output: { type: 'string', description: 'the result later steps need' },
        error: { type: ['string', 'null'], description: 'why it failed, to plan around; null on success' },
      },
      required: ['success', 'output', 'error'],
      additionalProperties: false,
    },
  },
};

let stub: OpenAIStub | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  await stub?.close();
  stub = null;
});

/** A chat model of an OpenAI-compatible server (not OpenAI's own API) answering from `script`. */
async function chatModel(script: StubScript) {
  stub = await startOpenAIStub(script);
  return asMastraModel(createOpenAI({ baseURL: `${stub.url}/v1`, apiKey: 'sk-test' }).chat('qwen3'));
}

const bodies = () => stub!.requests.map((request) => request.body);

describe('request bodies per structured-output mode', () => {
  it('native planner: the plan schema as a strict json_schema response_format, no tools', async () => {
    const planner = plannerPort(createPlannerAgent({ model: await chatModel([jsonReply(plan([step('s1')]))]) }), { mode: 'native' });

    const reply = await planner.plan(planRequest);

    const [body] = bodies();
    expect(Object.keys(body!).sort()).toEqual(['messages', 'model', 'response_format']);
    expect(body!.messages).toEqual([
      { role: 'system', content: PLANNER_INSTRUCTIONS },
      { role: 'user', content: planPrompt(planRequest, 'native') },
    ]);
    expect(body!.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'response', strict: true, schema: { required: ['goal', 'steps', 'rationale'] } },
    });
    expect([reply.mode, reply.value]).toEqual(['native', plan([step('s1')])]);
  });

  it('prompt planner: no response_format; the fields are in the prompt', async () => {
    const planner = plannerPort(createPlannerAgent({ model: await chatModel([jsonReply(plan([step('s1')]))]) }), { mode: 'prompt' });

    const reply = await planner.plan(planRequest);

    const [body] = bodies();
    expect(body).toEqual({
      model: 'qwen3',
      messages: [
        { role: 'system', content: PLANNER_INSTRUCTIONS },
        { role: 'user', content: planPrompt(planRequest) },
      ],
    });
    expect(planPrompt(planRequest)).toContain('\n- rationale (string or null): One or two sentences on why this decomposition, or null.');
    expect(reply.mode).toBe('prompt');
  });

  it('tool executor: the tools plus report_step_outcome, no response_format; the step ends at the report', async () => {
    const add = createAddTool();
    const model = await chatModel([toolCallReply('add', { a: 1, b: 2 }), toolCallReply('report_step_outcome', DONE)]);
    const executor = executorPort(createExecutorAgent({ model, tools: { add: add.tool } }), { mode: 'tool' });

    const reply = await executor.execute(stepRequest);

    const [first, second] = bodies();
    expect(first).toEqual({
      model: 'qwen3',
      messages: [
        { role: 'system', content: EXECUTOR_INSTRUCTIONS },
        { role: 'user', content: stepPrompt(stepRequest, 'tool') },
      ],
      tools: [ADD_TOOL, REPORT_TOOL],
      tool_choice: 'auto',
    });
    expect(Object.keys(second!).sort()).toEqual(['messages', 'model', 'tool_choice', 'tools']);
    expect(second!.messages!.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1_0', content: '{"sum":3}' });
    expect([reply.value, reply.toolCalls, reply.mode, stub!.requests.length]).toEqual([DONE, 1, 'tool', 2]);
  });

  it('prompt executor: the tools alone, no response_format; the outcome fields in the prompt', async () => {
    const executor = executorPort(createExecutorAgent({ model: await chatModel([jsonReply(DONE)]), tools: { add: createAddTool().tool } }), { mode: 'prompt' });

    const reply = await executor.execute(stepRequest);

    expect(bodies()).toEqual([
      {
        model: 'qwen3',
        messages: [
          { role: 'system', content: EXECUTOR_INSTRUCTIONS },
          { role: 'user', content: stepPrompt(stepRequest, 'prompt') },
        ],
        tools: [ADD_TOOL],
        tool_choice: 'auto',
      },
    ]);
    expect([reply.value, reply.mode]).toEqual([DONE, 'prompt']);
  });

  it('auto on a server other than OpenAI: planner prompt, executor tool', async () => {
    const model = await chatModel([jsonReply(plan([step('s1')])), toolCallReply('report_step_outcome', DONE)]);

    const planned = await plannerPort(createPlannerAgent({ model })).plan(planRequest);
    const executed = await executorPort(createExecutorAgent({ model })).execute(stepRequest);

    expect([planned.mode, executed.mode]).toEqual(['prompt', 'tool']);
    expect(bodies().map((body) => [body.response_format, body.tools?.map((tool) => tool.function.name)])).toEqual([
      [undefined, undefined],
      [undefined, ['report_step_outcome']],
    ]);
  });
});

describe('a refused request over the wire', () => {
  it('ends in one call as MODEL_REQUEST_REJECTED, the echoed API key masked, nothing printed', async () => {
    const printed = (['error', 'warn', 'info', 'log'] as const).map((method) => vi.spyOn(console, method).mockImplementation(() => {}));
    stub = await startOpenAIStub([httpErrorReply(401, 'Incorrect API key provided: local-secret-key-123.')]);
    const model = asMastraModel(createOpenAI({ baseURL: `${stub.url}/v1`, apiKey: 'local-secret-key-123' }).chat('qwen3'));

    const failure = await plannerPort(createPlannerAgent({ model }))
      .plan(planRequest)
      .catch((caught: unknown) => caught);

    expect(failure).toMatchObject({
      code: 'MODEL_REQUEST_REJECTED',
      role: 'planner',
      status: 401,
      providerMessage: 'Incorrect API key provided: ****-123.',
      message: "The model server refused the planner's request (HTTP 401): Incorrect API key provided: ****-123.",
    });
    expect(stub.requests).toHaveLength(1);
    expect(printed.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0, 0]);
  });
});

describe('createDefaultAgents', () => {
  it('gives its agents the modes of PLAN_EXECUTE_OUTPUT_MODE, which their ports then use', async () => {
    stub = await startOpenAIStub([jsonReply(plan([step('s1')]))]);
    const env = { OPENAI_BASE_URL: `${stub.url}/v1`, PLAN_EXECUTE_OUTPUT_MODE: 'planner=native' };
    // The executor's workspace is created on first use only; no executor call is made here.
    const agents = createDefaultAgents({ env, workspaceDir: join(tmpdir(), 'never-created') });

    const reply = await plannerPort(agents.planner).plan(planRequest);

    expect(reply.mode).toBe('native');
    expect(bodies()[0]!.response_format).toMatchObject({ type: 'json_schema' });
  });
});
