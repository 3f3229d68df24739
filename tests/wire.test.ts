import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlanStep } from '../src/engine/plan-schema.ts';
import { modelsFromEnv } from '../src/models.ts';
import { PlanAndExecute, type PlanAndExecuteOptions } from '../src/plan-and-execute.ts';
import { createAddTool, eventTrail, recordEvents } from './helpers/agent-fixtures.ts';
import {
  httpErrorReply,
  jsonReply,
  startOpenAIStub,
  textReply,
  toolCallReply,
  type OpenAIStub,
  type RecordedRequest,
  type StubScript,
  type StubUsage,
} from './helpers/openai-stub-server.ts';

const TASK = 'What is (2 + 3) + 4?';
const STEPS: PlanStep[] = [
  { id: 's1', description: 'Add 2 and 3', expectedOutput: 'The sum', dependsOn: [], toolHint: 'add' },
  { id: 's2', description: 'Add 4 to the result of s1', expectedOutput: 'The sum', dependsOn: ['s1'], toolHint: 'add' },
];
const PLAN = { goal: 'Compute (2 + 3) + 4', steps: STEPS, rationale: null };
const ANSWER = '(2 + 3) + 4 = 9';

const usage = (promptTokens: number, completionTokens: number): StubUsage => ({ promptTokens, completionTokens });
const planReply = () => jsonReply(PLAN, usage(100, 40));
// On a server other than OpenAI's own API, `auto` gives the executor its final-answer tool.
const succeed = (output: string, tokens: StubUsage) => toolCallReply('report_step_outcome', { success: true, output, error: null }, tokens);

let stub: OpenAIStub | null = null;

/** Starts the stub with `script` and builds the agent on the real wire path: env → createOpenAI().chat() → HTTP. */
async function agentOnStub(script: StubScript, options: Partial<PlanAndExecuteOptions> = {}) {
  stub = await startOpenAIStub(script);
  const { tool: add, inputs } = createAddTool();
  const models = modelsFromEnv({ OPENAI_BASE_URL: `${stub.url}/v1`, OPENAI_API_KEY: 'sk-test' });
  return { agent: new PlanAndExecute({ ...models, tools: { add }, ...options }), requests: stub.requests, addInputs: inputs };
}

const toolNames = (request: RecordedRequest | undefined) => request?.body.tools?.map((tool) => tool.function.name) ?? null;
const systemRole = (request: RecordedRequest) => /^You are the (\w+)/.exec(String(request.body.messages?.[0]?.content))?.[1];

afterEach(async () => {
  await stub?.close();
  stub = null;
});

describe('PlanAndExecute over the OpenAI Chat Completions wire', () => {
  it('plans (JSON in the prompt), calls the tool in each step, reports through report_step_outcome, synthesises, and sums the usage', async () => {
    const { agent, requests, addInputs } = await agentOnStub([
      planReply(),
      toolCallReply('add', { a: 2, b: 3 }, usage(50, 10)),
      succeed('5', usage(70, 12)),
      toolCallReply('add', { a: 5, b: 4 }, usage(60, 11)),
      succeed('9', usage(80, 13)),
      textReply(ANSWER, usage(90, 8)),
    ]);
    const { events, onEvent } = recordEvents();

    const result = await agent.run(TASK, { onEvent });

    expect(result.status).toBe('completed');
    expect(result.error).toBeNull();
    expect(result.finalOutput).toBe(ANSWER);
    expect(result.plan.map((step) => [step.id, step.status, step.output])).toEqual([
      ['s1', 'done', '5'],
      ['s2', 'done', '9'],
    ]);
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.toolCalls])).toEqual([
      ['s1', 1],
      ['s2', 1],
    ]);
    expect(addInputs).toEqual([
      { a: 2, b: 3 },
      { a: 5, b: 4 },
    ]);
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      'step-started:s1',
      'step-finished:s1',
      'step-started:s2',
      'step-finished:s2',
      'synthesis-finished',
      'run-finished',
    ]);

    // 1 plan + 2 per tool step (tool call, outcome) + 1 synthesis.
    expect(requests).toHaveLength(6);
    expect(requests.map((request) => [request.method, request.path, request.headers.authorization])).toEqual(
      Array(6).fill(['POST', '/v1/chat/completions', 'Bearer sk-test']),
    );
    expect(requests.map(systemRole)).toEqual(['planner', 'executor', 'executor', 'executor', 'executor', 'synthesizer']);
    expect(requests.map((request) => [request.body.model, request.body.stream])).toEqual(Array(6).fill(['gpt-4o-mini', undefined]));

    const [planRequest, s1Call, s1Outcome, s2Call, s2Outcome, synthesisRequest] = requests;
    // `auto` on a server other than OpenAI's own API: the planner is asked for JSON in its prompt, with no response_format.
    expect([planRequest!.body.response_format, toolNames(planRequest)]).toEqual([undefined, null]);
    expect(String(planRequest!.body.messages![1]!.content)).toContain('Answer with exactly one JSON object and nothing else');

    // The executor gets its tools and report_step_outcome, never a response_format with them.
    for (const request of [s1Call, s1Outcome, s2Call, s2Outcome]) {
      expect(toolNames(request)).toEqual(['add', 'report_step_outcome']);
      expect(request!.body.tools![0]!.function).toMatchObject({
        description: 'Add two numbers',
        parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
      });
      expect(request!.body.tool_choice).toBe('auto');
      expect(request!.body.response_format).toBeUndefined();
    }
    expect(s1Call!.body.messages!.map((message) => message.role)).toEqual(['system', 'user']);
    expect(s1Outcome!.body.messages!.slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_2_0', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } }] },
      { role: 'tool', tool_call_id: 'call_2_0', content: '{"sum":5}' },
    ]);
    expect(s2Outcome!.body.messages!.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_4_0', content: '{"sum":9}' });
    expect(String(s2Call!.body.messages![1]!.content)).toContain('<data source="output of s1 (Add 2 and 3)">\n5\n</data>');

    expect([toolNames(synthesisRequest), synthesisRequest!.body.response_format]).toEqual([null, undefined]);
    expect(String(synthesisRequest!.body.messages![1]!.content)).toContain('<data source="s2: Add 4 to the result of s1">\n9\n</data>');

    expect(result.usage).toEqual({
      inputTokens: 100 + 50 + 70 + 60 + 80 + 90,
      outputTokens: 40 + 10 + 12 + 11 + 13 + 8,
      totalTokens: 140 + 60 + 82 + 71 + 93 + 98,
      byRole: {
        planner: { inputTokens: 100, outputTokens: 40, totalTokens: 140 },
        executor: { inputTokens: 260, outputTokens: 46, totalTokens: 306 },
        synthesizer: { inputTokens: 90, outputTokens: 8, totalTokens: 98 },
      },
    });
    expect(result.steps.map((attempt) => attempt.usage)).toEqual([
      { inputTokens: 120, outputTokens: 22, totalTokens: 142 },
      { inputTokens: 140, outputTokens: 24, totalTokens: 164 },
    ]);
  });

  describe('an HTTP error from the server during a step', () => {
    // Mastra logs every failed model call ("Upstream LLM API error") at error level; the role agents send it to debug.
    beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => {}));
    afterEach(() => vi.restoreAllMocks());

    const failedCall = (status: number, message: string) => `The executor's model call failed (HTTP ${status}): ${message}`;

    it.each([500, 503])('retries the step after a %i (one request per attempt) and completes', async (status) => {
      const { agent, requests } = await agentOnStub(
        [
          jsonReply({ ...PLAN, steps: [STEPS[0]] }, usage(100, 40)),
          httpErrorReply(status, `Upstream says ${status}`),
          toolCallReply('add', { a: 2, b: 3 }, usage(50, 10)),
          succeed('5', usage(70, 12)),
          textReply('2 + 3 = 5', usage(90, 8)),
        ],
        { maxRetries: 1 },
      );
      const { events, onEvent } = recordEvents();

      const result = await agent.run('What is 2 + 3?', { onEvent });

      expect(result.status).toBe('completed');
      expect(result.finalOutput).toBe('2 + 3 = 5');
      expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable, attempt.usage.totalTokens])).toEqual([
        [1, 'failed', failedCall(status, `Upstream says ${status}`), true, 0],
        [2, 'done', null, false, 142],
      ]);
      expect(eventTrail(events)).toEqual([
        'run-started',
        'plan-created',
        'step-started:s1',
        'step-failed:s1',
        'step-retried:s1',
        'step-started:s1',
        'step-finished:s1',
        'synthesis-finished',
        'run-finished',
      ]);
      // Neither Mastra (Agent maxRetries 0) nor the AI SDK re-sent the failed request: only the engine retried.
      expect(requests.map(systemRole)).toEqual(['planner', 'executor', 'executor', 'executor', 'synthesizer']);
      expect(String(requests[2]!.body.messages![1]!.content)).toContain(
        `Attempt 2; the last one failed:\n<data source="previous error">\n${failedCall(status, `Upstream says ${status}`)}\n</data>`,
      );
      expect(result.usage.totalTokens).toBe(140 + 60 + 82 + 98);
    });

    it('ends the run failed with MODEL_REQUEST_REJECTED after one call on a 400: no retry, no replan', async () => {
      const { agent, requests } = await agentOnStub(
        [jsonReply({ ...PLAN, steps: [STEPS[0]] }, usage(100, 40)), httpErrorReply(400, "'response_format' is not supported")],
        {
          maxRetries: 2,
        },
      );

      const result = await agent.run('What is 2 + 3?');

      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({
        code: 'MODEL_REQUEST_REJECTED',
        message: "The model server refused the executor's request (HTTP 400): 'response_format' is not supported",
      });
      expect(requests.map(systemRole)).toEqual(['planner', 'executor']);
      expect(result.replanned).toBe(false);
      expect(console.error).not.toHaveBeenCalled();
    });

    it('fails the run with STEP_FAILED after maxRetries re-runs when replanning is off', async () => {
      const { agent, requests } = await agentOnStub(
        [
          jsonReply({ ...PLAN, steps: [STEPS[0]] }, usage(100, 40)),
          httpErrorReply(500, 'down 1'),
          httpErrorReply(502, 'down 2'),
          httpErrorReply(503, 'down 3'),
        ],
        { maxRetries: 2, replanOnFailure: false },
      );

      const result = await agent.run('What is 2 + 3?');

      expect(result.status).toBe('failed');
      expect(result.error).toEqual({ code: 'STEP_FAILED', message: `Step "s1" failed and replanning is off: ${failedCall(503, 'down 3')}` });
      expect(result.finalOutput).toBe('');
      expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable])).toEqual([
        [1, 'failed', failedCall(500, 'down 1'), true],
        [2, 'failed', failedCall(502, 'down 2'), true],
        [3, 'failed', failedCall(503, 'down 3'), true],
      ]);
      expect(result.plan).toMatchObject([{ id: 's1', status: 'failed', attempts: 3, error: failedCall(503, 'down 3') }]);
      expect(requests).toHaveLength(4);
      expect(result.usage).toMatchObject({ inputTokens: 100, outputTokens: 40, totalTokens: 140 });
    });

    it('asks the replanner (ReplanDecision over the wire) once retries are used up, and ends aborted when it says abort', async () => {
      const { agent, requests } = await agentOnStub(
        [
          jsonReply({ ...PLAN, steps: [STEPS[0]] }, usage(100, 40)),
          httpErrorReply(500, 'down 1'),
          httpErrorReply(500, 'down 2'),
          jsonReply({ action: 'abort', steps: null, rationale: 'The model server is down' }, usage(30, 6)),
        ],
        { maxRetries: 1 },
      );

      const result = await agent.run('What is 2 + 3?');

      expect(result.status).toBe('aborted');
      expect(result.error).toEqual({ code: 'RUN_ABORTED', message: 'The run was aborted: The model server is down' });
      expect(result.steps.map((attempt) => [attempt.attempt, attempt.error])).toEqual([
        [1, failedCall(500, 'down 1')],
        [2, failedCall(500, 'down 2')],
      ]);
      expect(requests.map(systemRole)).toEqual(['planner', 'executor', 'executor', 'planner']);
      // The replanner, in prompt mode here, is shown the decision's fields instead of a response_format.
      expect(requests[3]!.body.response_format).toBeUndefined();
      const replanText = String(requests[3]!.body.messages![1]!.content);
      expect(replanText).toContain(`<data source="error">\n${failedCall(500, 'down 2')}\n</data>`);
      expect(replanText).toContain('with these fields:\n- action ("revise" | "skip" | "abort"): ');
      expect(result.usage.byRole.planner).toEqual({ inputTokens: 130, outputTokens: 46, totalTokens: 176 });
    });
  });
});
