import { APICallError } from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { createPlannerAgent, plannerPort } from '../../src/agents/planner.ts';
import { createSynthesizerAgent, synthesizerPort } from '../../src/agents/synthesizer.ts';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { createScriptedModel, error, json, text, toolCall } from '../../src/testing/index.ts';
import { createAddTool, userText } from '../helpers/agent-fixtures.ts';
import { addStepRequest, plan, step } from '../helpers/plans.ts';

const signal = new AbortController().signal;
const planRequest = { task: 'Add 1 and 2', tools: [], maxPlanSteps: 5, feedback: [], abortSignal: signal };
const stepRequest = addStepRequest(signal);
const replanRequest = { ...planRequest, goal: 'g', completed: [], failedStep: step('s1'), error: 'broke', remaining: [], otherFailures: [] };
const DONE = { success: true, output: 'sum is 3', error: null };
const toolNames = (options: { tools?: ReadonlyArray<{ name: string }> } | undefined) => options?.tools?.map((tool) => tool.name) ?? [];

afterEach(() => vi.restoreAllMocks());

describe('executorPort in tool mode', () => {
  it('adds report_step_outcome to the tools, sends no response format, and ends the step at the report', async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 2 }), toolCall('report_step_outcome', DONE), text('never asked')]);
    const add = createAddTool();
    const executor = executorPort(createExecutorAgent({ model, tools: { add: add.tool } }), { mode: 'tool' });

    const reply = await executor.execute(stepRequest);

    expect(reply).toEqual({ value: DONE, usage: { inputTokens: 20, outputTokens: 40, totalTokens: 60 }, toolCalls: 1, mode: 'tool', repairs: [] });
    expect([model.calls.length, model.remaining, add.inputs]).toEqual([2, 1, [{ a: 1, b: 2 }]]);
    expect(model.callOptions.map(toolNames)).toEqual([
      ['add', 'report_step_outcome'],
      ['add', 'report_step_outcome'],
    ]);
    expect(model.callOptions.map((options) => options.responseFormat)).toEqual([undefined, undefined]);
    // The report tool's schema says what to report: the prompt only says to call it.
    expect(userText(model.calls[0]).endsWith('\nAt most 3 turns.\nThen call report_step_outcome once.')).toBe(true);
  });

  it('lets the model report again, within its turns, when its report cannot be read', async () => {
    const model = createScriptedModel([toolCall('report_step_outcome', { success: true }), toolCall('report_step_outcome', DONE)]);
    const executor = executorPort(createExecutorAgent({ model }), { mode: 'tool' });

    const reply = await executor.execute(stepRequest);

    expect([reply.value, reply.toolCalls, model.calls.length]).toEqual([DONE, 0, 2]);
    expect(model.calls[1]!.at(-1)).toMatchObject({ role: 'tool', content: [{ type: 'tool-result', toolName: 'report_step_outcome' }] });
    expect(JSON.stringify(model.calls[1]!.at(-1))).toContain('Tool input validation failed for report_step_outcome');
  });

  it('fails the step for good when the turns run out on tool calls without a report', async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 2 }), toolCall('add', { a: 1, b: 2 }), toolCall('add', { a: 1, b: 2 })]);
    const executor = executorPort(createExecutorAgent({ model, tools: { add: createAddTool().tool } }), { mode: 'tool' });

    const reply = await executor.execute(stepRequest);

    expect(reply.value).toEqual({ success: false, output: '', error: 'The step used all 3 model turns on tool calls without a final answer' });
    expect([reply.toolCalls, model.calls.length]).toEqual([3, 3]);
  });

  it('throws a ModelOutputError naming the tool when the model neither reports nor answers JSON', async () => {
    const model = createScriptedModel([text('I added them: 3.')]);
    const executor = executorPort(createExecutorAgent({ model }), { mode: 'tool' });

    const failure = await executor.execute(stepRequest).catch((caught: unknown) => caught);

    expect(isPlanExecuteError(failure, 'MODEL_OUTPUT_INVALID')).toBe(true);
    expect(failure).toMatchObject({
      rawText: 'I added them: 3.',
      issues: ['The answer holds no outcome; call report_step_outcome with the fields success, output, error.'],
      usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
    });
  });
});

describe('executorPort in native and prompt mode', () => {
  it.each([
    // native: the response schema says the fields, so the prompt does not repeat them (issue 11).
    ['native', { type: 'json' }, '\nAt most 3 turns.'],
    [
      'prompt',
      undefined,
      '\nAt most 3 turns.\nThen answer with exactly one JSON object and nothing else (no prose around it, no code fence), with these fields:\n- success (boolean): false if the step cannot be done\n- output (string): the result later steps need\n- error (string or null): why it failed, to plan around; null on success',
    ],
  ] as const)('in %s mode sends the tools alone and a response format only when native', async (mode, responseFormat, ending) => {
    const model = createScriptedModel([json(DONE)]);
    const executor = executorPort(createExecutorAgent({ model, tools: { add: createAddTool().tool } }), { mode });

    const reply = await executor.execute(stepRequest);

    expect([reply.value, reply.mode]).toEqual([DONE, mode]);
    expect(toolNames(model.callOptions[0])).toEqual(['add']);
    expect(model.callOptions[0]!.responseFormat === undefined ? undefined : { type: model.callOptions[0]!.responseFormat.type }).toEqual(responseFormat);
    expect(userText(model.calls[0]).endsWith(ending)).toBe(true);
  });
});

describe('plannerPort modes', () => {
  it.each([
    // native: the fields go once, in the response schema (issue 11).
    ['native', 'json', '\n\nAnswer with one JSON object of the response schema.'],
    ['prompt', undefined, 'Answer with exactly one JSON object and nothing else (no prose around it, no code fence), with these fields:\n- goal (string): '],
  ] as const)('in %s mode asks for the plan (response format: %s)', async (mode, formatType, asked) => {
    const model = createScriptedModel([json(plan([step('s1')]))]);
    const planner = plannerPort(createPlannerAgent({ model }), { mode });

    const reply = await planner.plan(planRequest);

    expect(reply).toEqual({ value: plan([step('s1')]), usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, mode, repairs: [] });
    expect(model.callOptions[0]!.responseFormat?.type).toBe(formatType);
    expect(userText(model.calls[0])).toContain(asked);
    expect(userText(model.calls[0]).includes('- goal (string)')).toBe(mode === 'prompt');
  });

  it('uses the mode the agent was created with when the port names none', async () => {
    const model = createScriptedModel([json({ action: 'abort', steps: null, rationale: 'No way' })]);
    const planner = plannerPort(createPlannerAgent({ model, structuredOutput: 'prompt' }));

    const reply = await planner.replan(replanRequest);

    expect([reply.value, reply.mode, model.callOptions[0]!.responseFormat]).toEqual([
      { action: 'abort', steps: null, rationale: 'No way' },
      'prompt',
      undefined,
    ]);
  });

  it('takes scripted models as native under auto (they honour any request)', async () => {
    const model = createScriptedModel([json(DONE)]);

    const reply = await executorPort(createExecutorAgent({ model })).execute(stepRequest);

    expect([reply.mode, model.callOptions[0]!.responseFormat?.type]).toEqual(['native', 'json']);
  });

  it.each([
    [
      () => plannerPort(createPlannerAgent({ model: createScriptedModel([]) }), { mode: 'tool' as never }),
      'Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "tool"',
    ],
    [
      () => executorPort(createExecutorAgent({ model: createScriptedModel([]) }), { mode: 'json' as never }),
      'Expected `structuredOutput.executor` to be one of "auto", "native", "prompt", "tool", "text", got "json"',
    ],
    [
      () => createPlannerAgent({ model: createScriptedModel([]), structuredOutput: 'tools' as never }),
      'Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "tools"',
    ],
  ])('throws InvalidOptionsError for an unknown mode (%#)', (create, message) => {
    expect(create).toThrow(message);
    expect(() => create()).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('provider errors through the ports', () => {
  const rejected = (status: number) =>
    error(
      new APICallError({
        message: 'Bad Request',
        url: 'http://127.0.0.1:9/v1/chat/completions',
        requestBodyValues: {},
        statusCode: status,
        responseBody: '{"error":{"message":"model not found"}}',
        isRetryable: false,
      }),
    );

  it.each([
    ['planner', (model: ReturnType<typeof createScriptedModel>) => plannerPort(createPlannerAgent({ model }), { mode: 'prompt' }).plan(planRequest)],
    ['replanner', (model: ReturnType<typeof createScriptedModel>) => plannerPort(createPlannerAgent({ model }), { mode: 'prompt' }).replan(replanRequest)],
    ['executor', (model: ReturnType<typeof createScriptedModel>) => executorPort(createExecutorAgent({ model }), { mode: 'tool' }).execute(stepRequest)],
    [
      'synthesizer',
      (model: ReturnType<typeof createScriptedModel>) =>
        synthesizerPort(createSynthesizerAgent({ model })).synthesize({ task: 't', goal: 'g', steps: [], abortSignal: signal }),
    ],
  ] as const)('turns a 404 of the %s call into MODEL_REQUEST_REJECTED naming the role', async (role, call) => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const model = createScriptedModel([rejected(404)]);

    const failure = await call(model).catch((caught: unknown) => caught);

    expect(consoleError).not.toHaveBeenCalled();
    expect(failure).toMatchObject({ code: 'MODEL_REQUEST_REJECTED', role, status: 404, providerMessage: 'model not found' });
    expect(model.calls).toHaveLength(1);
  });
});

describe('synthesizerPort', () => {
  const synthesisRequest = { task: 't', goal: 'g', steps: [{ id: 's1', description: 'Read', output: 'hello' }], abortSignal: signal };

  it.each([
    ['<think>\nThe note says hello.\n</think>\n\nThe file contains: hello', 'The file contains: hello', ['think-block']],
    ['The file contains: hello <think>kept</think>', 'The file contains: hello <think>kept</think>', []],
  ])('answers %j as %j', async (answer, value, repairs) => {
    const model = createScriptedModel([text(answer)]);

    const reply = await synthesizerPort(createSynthesizerAgent({ model })).synthesize(synthesisRequest);

    expect(reply).toEqual({ value, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, mode: 'text', repairs });
  });
});
