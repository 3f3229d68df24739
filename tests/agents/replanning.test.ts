import { describe, expect, it } from 'vitest';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, scriptReplan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, dataBlock, eventTrail, fail, recordEvents, succeed, tokens, userText } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

const divide = step('s2', ['s1'], { description: 'Divide the sum by the count' });
const divideAgain = step('s3', ['s1'], { description: 'Halve the sum instead' });

describe('PlanAndExecute replanning', () => {
  it('revises the plan after a step reports failure, keeping the done step and its output', async () => {
    const planner = createScriptedModel(
      [
        scriptPlan(plan([addStep('s1'), divide])),
        scriptReplan({ action: 'revise', steps: [divideAgain], rationale: 'Halve instead of dividing by zero' }, { input: 40, output: 4 }),
        text('Half the sum is 1.5.'),
      ],
      { name: 'planner' },
    );
    const executor = createScriptedModel(
      [toolCall('add', { a: 1, b: 2 }), succeed('sum is 3'), fail('The count is zero; cannot divide'), succeed('half is 1.5')],
      { name: 'executor' },
    );
    const add = createAddTool();
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool } });

    const result = await agent.run('Average the numbers', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.error).toBeNull();
    expect(result.replanned).toBe(true);
    expect(result.finalOutput).toBe('Half the sum is 1.5.');
    expect(result.revisions).toEqual([
      {
        revision: 1,
        kind: 'revise',
        reason: 'Halve instead of dividing by zero',
        failedStepId: 's2',
        stepsBefore: [addStep('s1'), divide],
        stepsAfter: [addStep('s1'), divideAgain],
      },
    ]);
    expect(result.plan.map((step) => [step.id, step.status, step.output, step.attempts])).toEqual([
      ['s1', 'done', 'sum is 3', 1],
      ['s3', 'done', 'half is 1.5', 1],
    ]);
    expect(result.initialPlan).toEqual(plan([addStep('s1'), divide]));
    expect(result.steps.map((step) => [step.stepId, step.status, step.error, step.retryable])).toEqual([
      ['s1', 'done', null, false],
      ['s2', 'failed', 'The count is zero; cannot divide', false],
      ['s3', 'done', null, false],
    ]);
    // s1 ran once: one tool execution, four executor calls in all (s1: 2, s2: 1, s3: 1).
    expect(add.inputs).toEqual([{ a: 1, b: 2 }]);
    expect(executor.calls).toHaveLength(4);
    expect(planner.calls).toHaveLength(3);
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
    // The synthesis call shares the planner's model but is counted as the synthesizer's.
    expect(result.usage.byRole).toEqual({ planner: tokens(10 + 40, 20 + 4), executor: tokens(40, 80), synthesizer: tokens(10, 20) });
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      'step-started:s1',
      'step-finished:s1',
      'step-started:s2',
      'step-failed:s2',
      'replan-decided:s2',
      'plan-revised',
      'step-started:s3',
      'step-finished:s3',
      'synthesis-finished',
      'run-finished',
    ]);
  });

  it("shows the replanner the failed step's error and the done step's output", async () => {
    const planner = createScriptedModel(
      [scriptPlan(plan([addStep('s1'), divide])), scriptReplan({ action: 'revise', steps: [divideAgain], rationale: 'Halve' }), text('Done.')],
      { name: 'planner' },
    );
    const executor = createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('sum is 3'), fail('The count is zero'), succeed('half is 1.5')], {
      name: 'executor',
    });
    const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool } });

    await agent.run('Average the numbers');

    const replanPrompt = userText(planner.calls[1]);
    expect(replanPrompt).toContain('A step of the plan failed.');
    expect(replanPrompt).toContain(`- s1: Add the numbers of s1\n${dataBlock('output of s1', 'sum is 3')}`);
    expect(replanPrompt).toContain(
      `Failed step:\n- s2: Divide the sum by the count (expects: s2 result; dependsOn: [s1]; tool: none)\n${dataBlock('error', 'The count is zero')}`,
    );
    expect(replanPrompt).toContain('Steps not yet done:\n(none)');
    expect(planner.callOptions[1]!.responseFormat).toMatchObject({ type: 'json' });
    // The revised step depends on s1 and is given its output.
    expect(userText(executor.calls[3])).toContain(dataBlock('output of s1 (Add the numbers of s1)', 'sum is 3'));
  });

  it('fails with STEP_FAILED when a second failure finds the replan budget spent', async () => {
    const planner = createScriptedModel(
      [scriptPlan(plan([step('s1')])), scriptReplan({ action: 'revise', steps: [step('s2')], rationale: 'Try another way' })],
      { name: 'planner' },
    );
    const executor = createScriptedModel([fail('First way is blocked'), fail('Second way is blocked too')], { name: 'executor' });
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor, maxReplans: 1 });

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'STEP_FAILED',
      message: 'Step "s2" failed and the replan budget (1) is spent: Second way is blocked too',
    });
    expect(result.finalOutput).toBe('');
    expect(result.revisions.map((revision) => [revision.kind, revision.failedStepId])).toEqual([['revise', 's1']]);
    expect(result.plan.map((step) => [step.id, step.status, step.error])).toEqual([['s2', 'failed', 'Second way is blocked too']]);
    expect([planner.calls.length, executor.calls.length]).toEqual([2, 2]);
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      'step-started:s1',
      'step-failed:s1',
      'replan-decided:s1',
      'plan-revised',
      'step-started:s2',
      'step-failed:s2',
      'run-finished',
    ]);
  });

  it('aborts with partial results when the replanner says abort', async () => {
    const planner = createScriptedModel(
      [scriptPlan(plan([addStep('s1'), divide])), scriptReplan({ action: 'abort', steps: null, rationale: 'Nothing to divide by' })],
      { name: 'planner' },
    );
    const executor = createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('sum is 3'), fail('The count is zero')], { name: 'executor' });
    const add = createAddTool();
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool } });

    const result = await agent.run('Average the numbers', { onEvent });

    expect(result.status).toBe('aborted');
    expect(result.error).toEqual({ code: 'RUN_ABORTED', message: 'The run was aborted: Nothing to divide by' });
    expect(result.plan.map((step) => [step.id, step.status, step.output, step.error])).toEqual([
      ['s1', 'done', 'sum is 3', null],
      ['s2', 'failed', null, 'The count is zero'],
    ]);
    expect(result.finalOutput).toBe('sum is 3');
    expect(result.replanned).toBe(false);
    expect(result.revisions).toEqual([]);
    expect(add.inputs).toEqual([{ a: 1, b: 2 }]);
    expect([planner.calls.length, executor.calls.length]).toEqual([2, 3]);
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
    const finished = events.at(-1);
    expect(finished?.type === 'run-finished' && finished.error?.code).toBe('RUN_ABORTED');
  });

  it('skips the failed step and runs its dependants when the replanner says skip', async () => {
    const planner = createScriptedModel(
      [
        scriptPlan(plan([step('s1'), step('s2', ['s1'])])),
        scriptReplan({ action: 'skip', steps: null, rationale: 'The extra data is optional' }),
        text('Answer without the extra data.'),
      ],
      { name: 'planner' },
    );
    const executor = createScriptedModel([fail('Source unavailable'), succeed('partial answer')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor });

    const result = await agent.run('Reach the goal');

    expect(result.status).toBe('completed');
    expect(result.replanned).toBe(true);
    expect(result.plan.map((step) => [step.id, step.status, step.error])).toEqual([
      ['s1', 'skipped', 'The extra data is optional'],
      ['s2', 'done', null],
    ]);
    expect(userText(executor.calls[1])).toContain(dataBlock('output of s1 (Do s1)', '(skipped: The extra data is optional)'));
    expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([3, 2, 0, 0]);
  });

  it('sends a revision that reuses a done step id back to the replanner', async () => {
    const planner = createScriptedModel(
      [
        scriptPlan(plan([addStep('s1'), divide])),
        scriptReplan({ action: 'revise', steps: [step('s1')], rationale: 'Redo s1' }),
        scriptReplan({ action: 'revise', steps: [divideAgain], rationale: 'Halve' }),
        text('Done.'),
      ],
      { name: 'planner' },
    );
    const executor = createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('sum is 3'), fail('The count is zero'), succeed('half is 1.5')], {
      name: 'executor',
    });
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool } });

    const result = await agent.run('Average the numbers', { onEvent });

    const issue = 'Step id "s1" is taken by a step already done; choose another id.';
    expect(result.status).toBe('completed');
    expect(events.filter((event) => event.type === 'plan-invalid')).toMatchObject([{ issues: [issue], attempt: 1 }]);
    expect(userText(planner.calls[2])).toContain(`Your previous answer was rejected. Fix every problem:\n- ${issue}`);
    expect(result.revisions.map((revision) => revision.reason)).toEqual(['Halve']);
    expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([4, 4, 0, 0]);
  });

  it('does not tell a revised step that reuses the failed id about the old attempt', async () => {
    const otherWay = step('s1', [], { description: 'Do s1 another way' });
    const planner = createScriptedModel(
      [scriptPlan(plan([step('s1')])), scriptReplan({ action: 'revise', steps: [otherWay], rationale: 'Another way' }), text('Done.')],
      { name: 'planner' },
    );
    const executor = createScriptedModel([fail('The first way is blocked'), succeed('done another way')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor });

    const result = await agent.run('Reach the goal');

    expect(result.status).toBe('completed');
    expect(result.plan).toMatchObject([{ id: 's1', description: 'Do s1 another way', status: 'done', attempts: 1 }]);
    expect(userText(executor.calls[1])).toContain('Your step (s1):\n<data source="step">\nDo s1 another way\nExpected output: s1 result\n</data>');
    expect(userText(executor.calls[1])).not.toContain('the last one failed');
    expect([executor.remaining, planner.remaining]).toEqual([0, 0]);
  });
});
