import { describe, expect, it } from 'vitest';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { createPlannerAgent, plannerPort } from '../../src/agents/planner.ts';
import type { Plan, StepOutcome } from '../../src/engine/plan-schema.ts';
import { createScriptedModel, text, toolCall } from '../../src/testing/index.ts';
import { step } from '../helpers/plans.ts';

// Issue 8: each near miss of a weak model is read in the one call that produced it, never a repair round trip.

const signal = new AbortController().signal;
const TASK = 'Add 1 and 2, then double it';
const planRequest = { task: TASK, tools: [{ name: 'add', description: 'Add two numbers' }], maxPlanSteps: 5, feedback: [], abortSignal: signal };
const stepRequest = { task: TASK, step: step('s1'), dependencies: [], attempt: 1, previousError: null, maxIterations: 3, abortSignal: signal };

const PLAN: Plan = {
  goal: 'Double the sum',
  steps: [step('1', [], { toolHint: 'add' }), step('2', ['1'])],
  rationale: 'Two steps',
};
const stepsText = `[{"id":"1","description":"Do 1","expectedOutput":"1 result","dependsOn":[],"toolHint":"add"},{"id":"2","description":"Do 2","expectedOutput":"2 result","dependsOn":["1"],"toolHint":null}]`;

/** The clean plan text with `from` replaced by `to` (each case changes one thing). */
const variant = (from: string, to: string) => {
  const clean = `{"goal":"Double the sum","steps":${stepsText},"rationale":"Two steps"}`;
  if (!clean.includes(from)) throw new Error(`the clean plan has no ${from}`);
  return clean.replace(from, to);
};

const planCases: Array<[string, string, Plan, string[]]> = [
  ['a trailing comma', variant('"rationale":"Two steps"}', '"rationale":"Two steps",}'), PLAN, ['json-repaired']],
  ['numeric ids', variant('"id":"1"', '"id":1').replace('"dependsOn":["1"]', '"dependsOn":[1]'), PLAN, ['numeric-id']],
  ['depends_on in snake_case', variant('"dependsOn":["1"]', '"depends_on":["1"]'), PLAN, ['snake-case-key']],
  ['tool_hint in snake_case', variant('"toolHint":"add"', '"tool_hint":"add"'), PLAN, ['snake-case-key']],
  ['an omitted rationale', variant(',"rationale":"Two steps"', ''), { ...PLAN, rationale: null }, ['missing-nullable']],
  ['an omitted toolHint', variant(',"toolHint":null', ''), PLAN, ['missing-nullable']],
  ['toolHint "none"', variant('"toolHint":null', '"toolHint":"none"'), PLAN, ['tool-hint-none']],
  ['dependsOn as a string', variant('"dependsOn":["1"]', '"dependsOn":"1"'), PLAN, ['depends-on-string']],
  ['a bare array of steps', stepsText, { goal: TASK, steps: PLAN.steps, rationale: null }, ['bare-array']],
  ['a {"plan": …} wrapper', `{"plan":${variant('', '')}}`, PLAN, ['wrapper-object']],
  ['a <think> prefix', `<think>The user wants a sum. {"draft": true}</think>\n${variant('', '')}`, PLAN, ['think-block']],
];

describe('plannerPort reading a weak model', () => {
  describe.each(['native', 'prompt'] as const)('in %s mode', (mode) => {
    it.each(planCases)('reads %s in one call', async (_name, answer, expected, repairs) => {
      const model = createScriptedModel([text(answer)], { name: 'planner' });
      const planner = plannerPort(createPlannerAgent({ model }), { mode });

      const reply = await planner.plan(planRequest);

      expect(reply).toEqual({ value: expected, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, mode, repairs });
      expect([model.calls.length, model.remaining]).toEqual([1, 0]);
    });
  });

  it('reads a replan decision in snake_case with numeric ids in one call', async () => {
    const model = createScriptedModel([
      text('{"action":"revise","steps":[{"id":3,"description":"Do 3","expected_output":"3 result","depends_on":[],"tool_hint":"none"}],"rationale":"Retry"}'),
    ]);
    const planner = plannerPort(createPlannerAgent({ model }), { mode: 'prompt' });
    const failedStep = step('s1');

    const reply = await planner.replan({ ...planRequest, goal: 'g', completed: [], failedStep, error: 'broke', remaining: [], otherFailures: [] });

    expect(reply.value).toEqual({ action: 'revise', steps: [step('3')], rationale: 'Retry' });
    expect(reply.repairs).toEqual(['snake-case-key', 'numeric-id', 'tool-hint-none']);
    expect(model.calls).toHaveLength(1);
  });
});

const DONE: StepOutcome = { success: true, output: '3', error: null };
const outcomeCases: Array<[string, string, StepOutcome, string[]]> = [
  ['success "true"', '{"success":"true","output":"3","error":null}', DONE, ['boolean-string']],
  ['output as a number', '{"success":true,"output":3,"error":null}', DONE, ['output-not-string']],
  ['an omitted error', '{"success":true,"output":"3"}', DONE, ['missing-nullable']],
  ['a trailing comma', '{"success":true,"output":"3","error":null,}', DONE, ['json-repaired']],
  ['a <think> prefix', '<think>add gave 3</think>{"success":true,"output":"3","error":null}', DONE, ['think-block']],
  ['prose around the JSON', 'Here is the outcome: {"success":true,"output":"3","error":null} Done.', DONE, ['extracted-json']],
];

describe('executorPort reading a weak model', () => {
  describe.each(['native', 'prompt', 'tool'] as const)('answering in text, in %s mode', (mode) => {
    it.each(outcomeCases)('reads %s in one call', async (_name, answer, expected, repairs) => {
      const model = createScriptedModel([text(answer)], { name: 'executor' });
      const executor = executorPort(createExecutorAgent({ model }), { mode });

      const reply = await executor.execute(stepRequest);

      expect(reply).toEqual({ value: expected, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, toolCalls: 0, mode, repairs });
      expect(model.calls).toHaveLength(1);
    });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['success "true"', { success: 'true', output: '3', error: null }, ['boolean-string']],
    ['output as a number', { success: true, output: 3, error: null }, ['output-not-string']],
    ['an omitted error', { success: true, output: '3' }, ['missing-nullable']],
  ])('reads %s in the report_step_outcome call and stops there', async (_name, report, repairs) => {
    const model = createScriptedModel([toolCall('report_step_outcome', report), text('never asked')], { name: 'executor' });
    const executor = executorPort(createExecutorAgent({ model }), { mode: 'tool' });

    const reply = await executor.execute(stepRequest);

    expect([reply.value, reply.repairs, reply.mode, reply.toolCalls]).toEqual([DONE, repairs, 'tool', 0]);
    expect([model.calls.length, model.remaining]).toEqual([1, 1]);
  });
});
