import { describe, expect, it } from 'vitest';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { readTextOutcome, TEXT_OUTCOME_INSTRUCTION } from '../../src/agents/text-outcome.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, type ScriptedReply, scriptPlan, scriptReplan, text, toolCall } from '../../src/testing/index.ts';
import { createAddTool, dataBlock, userText } from '../helpers/agent-fixtures.ts';
import { addStepRequest, plan, step } from '../helpers/plans.ts';

// The executor's `text` mode (issue 11): no response schema on any turn; the answer is the step's
// output, `FAILED:` at its start a step that cannot be done.

const USAGE = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };
const reply = (answer: string) => ({ text: answer, object: null, usage: USAGE, mode: 'text' as const });
const done = (output: string) => ({ success: true, output, error: null });
const failed = (error: string) => ({ success: false, output: '', error });

describe('readTextOutcome', () => {
  it.each([
    ['a plain answer', '  The sum is 3.\n', done('The sum is 3.'), []],
    ['a multi-line answer, kept as written', 'Line 1\n\n```py\nprint(1)\n```', done('Line 1\n\n```py\nprint(1)\n```'), []],
    ['FAILED: and why', 'FAILED: the file does not exist', failed('the file does not exist'), []],
    ['bold **FAILED:**', '**FAILED:** no network', failed('no network'), []],
    ['bold **FAILED**:', '**FAILED**: no network\nTried twice.', failed('no network\nTried twice.'), []],
    ['FAILED: with no reason', 'FAILED:', failed('The executor reported that the step failed.'), []],
    ['"Failed" as the start of an output', 'Failed logins: 3', done('Failed logins: 3'), []],
    ['FAILED without a colon', 'FAILED TESTS: none', done('FAILED TESTS: none'), []],
    ['FAILED: inside a paragraph', 'Checked it. FAILED: nothing', done('Checked it. FAILED: nothing'), []],
    ['FAILED: opening the last paragraph', 'I could not find it.\n\nFAILED: the file does not exist', failed('the file does not exist'), []],
    ['FAILED: in a heading', '# FAILED: no network', failed('no network'), []],
    ['FAILED: in a code fence', '```\nFAILED: no file\n```', failed('no file'), []],
    ['FAILED: in a middle paragraph', 'Tried.\n\nFAILED: once\n\nThen it worked: 3.', done('Tried.\n\nFAILED: once\n\nThen it worked: 3.'), []],
    ['a leading think block', '<think>\nAdd them.\n</think>\n\nThe sum is 3.', done('The sum is 3.'), ['think-block']],
    ['a lone closing think tag', 'I add 1 and 2.</think>The sum is 3.', done('The sum is 3.'), ['think-block']],
    ['a closing tag quoted after a complete block', '<think>x</think>Escape it as </think> here.', done('Escape it as </think> here.'), ['think-block']],
    ['a think block before FAILED:', '<think>no tool</think>FAILED: no add tool', failed('no add tool'), ['think-block']],
    ['an outcome as JSON', '{"success": false, "output": "", "error": "no rate"}', failed('no rate'), []],
    [
      'an outcome as fenced JSON, repaired',
      '```json\n{"success": "true", "output": 3}\n```',
      done('3'),
      ['missing-nullable', 'boolean-string', 'output-not-string'],
    ],
    ['JSON that is not an outcome', '{"rate": 0.9}', done('{"rate": 0.9}'), []],
    ['an outcome in a wrapper: the output', '{"result": {"success": true, "output": "x"}}', done('{"result": {"success": true, "output": "x"}}'), []],
    [
      'an outcome with other keys: the output',
      '{"success": true, "output": "x", "status": "ok"}',
      done('{"success": true, "output": "x", "status": "ok"}'),
      [],
    ],
    ['an outcome inside prose', 'Result: {"success": false, "output": "", "error": "x"}', done('Result: {"success": false, "output": "", "error": "x"}'), []],
  ])('reads %s', (_case, answer, value, repairs) => {
    expect(readTextOutcome(reply(answer))).toEqual({ value, repairs });
  });

  it.each([
    ['an empty answer', ''],
    ['only whitespace', ' \n '],
    ['only a think block', '<think>hmm</think>\n'],
    ['reasoning never closed (cut off)', '<think>I need to read the file and then'],
  ])('throws a retryable MODEL_OUTPUT_INVALID for %s, with the cost', (_case, answer) => {
    expect(() => readTextOutcome(reply(answer))).toThrow(
      expect.objectContaining({
        code: 'MODEL_OUTPUT_INVALID',
        message: 'The executor answer does not match its schema: The answer is empty; answer with the result, or start with FAILED: and why.',
        rawText: answer,
        usage: USAGE,
      }),
    );
  });
});

describe('executorPort in text mode', () => {
  const request = addStepRequest();

  it('sends the tools and no response format on every turn, says how to answer once, and takes the answer as the output', async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 2 }), text('The sum is 3.')]);
    const add = createAddTool();
    const executor = executorPort(createExecutorAgent({ model, tools: { add: add.tool } }), { mode: 'text' });

    const result = await executor.execute(request);

    expect(result).toEqual({
      value: done('The sum is 3.'),
      usage: { inputTokens: 20, outputTokens: 40, totalTokens: 60 },
      toolCalls: 1,
      mode: 'text',
      repairs: [],
    });
    expect(add.inputs).toEqual([{ a: 1, b: 2 }]);
    expect(model.callOptions.map((options) => [options.tools?.map((tool) => tool.name), options.responseFormat])).toEqual([
      [['add'], undefined],
      [['add'], undefined],
    ]);
    expect(userText(model.calls[0]).endsWith(`\nAt most 3 turns.\n${TEXT_OUTCOME_INSTRUCTION}`)).toBe(true);
  });

  it('reads the last turn alone, not the words the model wrote beside its tool call', async () => {
    const callWithWords: ScriptedReply = {
      ...toolCall('add', { a: 1, b: 2 }),
      content: [{ type: 'text', text: 'Let me add them.' }, ...toolCall('add', { a: 1, b: 2 }).content],
    };
    const model = createScriptedModel([callWithWords, text('FAILED: the tool said no')]);
    const executor = executorPort(createExecutorAgent({ model, tools: { add: createAddTool().tool } }), { mode: 'text' });

    const result = await executor.execute(request);

    expect([result.value, result.toolCalls]).toEqual([failed('the tool said no'), 1]);
  });

  it('uses text mode when the agent was created with it', async () => {
    const model = createScriptedModel([text('FAILED: there is no add tool')]);
    const executor = executorPort(createExecutorAgent({ model, structuredOutput: 'text' }));

    const result = await executor.execute(request);

    expect([result.value, result.mode, result.toolCalls, model.callOptions[0]!.responseFormat]).toEqual([failed('there is no add tool'), 'text', 0, undefined]);
  });

  it('fails the step for good when the turns run out on tool calls', async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 2 }), toolCall('add', { a: 1, b: 2 }), toolCall('add', { a: 1, b: 2 })]);
    const executor = executorPort(createExecutorAgent({ model, tools: { add: createAddTool().tool } }), { mode: 'text' });

    const result = await executor.execute(request);

    expect([result.value, result.toolCalls]).toEqual([failed('The step used all 3 model turns on tool calls without a final answer'), 3]);
  });
});

describe('a run with the executor in text mode', () => {
  it('replans a step answered FAILED: with its reason, hands the next output on as data, and completes', async () => {
    const steps = [step('s1', [], { description: 'Add 1 and 2', toolHint: 'add' }), step('s2', ['s1'], { description: 'Report the sum' })];
    const planner = createScriptedModel(
      [scriptPlan(plan(steps)), scriptReplan({ action: 'revise', steps, rationale: 'Try the tool again.' }), text('1 + 2 = 3.')],
      { name: 'planner' },
    );
    const executor = createScriptedModel(
      [text('FAILED: the add tool was busy'), toolCall('add', { a: 1, b: 2 }), text('The sum is 3.'), text('<think>s1 says 3</think>The report: 1 + 2 = 3.')],
      { name: 'executor' },
    );
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool }, structuredOutput: { executor: 'text' } });

    const result = await agent.run('Add 1 and 2 and report the sum');

    expect(result.status).toBe('completed');
    // A revised step starts its attempts again.
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.attempt, attempt.status, attempt.output, attempt.error])).toEqual([
      ['s1', 1, 'failed', null, 'the add tool was busy'],
      ['s1', 1, 'done', 'The sum is 3.', null],
      ['s2', 1, 'done', 'The report: 1 + 2 = 3.', null],
    ]);
    expect(userText(planner.calls[1])).toContain(dataBlock('error', 'the add tool was busy'));
    expect(userText(executor.calls[3])).toContain(dataBlock('output of s1 (Add 1 and 2)', 'The sum is 3.'));
    expect(executor.callOptions.every((options) => options.responseFormat === undefined)).toBe(true);
    expect(result.finalOutput).toBe('1 + 2 = 3.');
    expect([add.inputs.length, planner.remaining, executor.remaining]).toEqual([1, 0, 0]);
  });
});
