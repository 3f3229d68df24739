import { describe, expect, it } from 'vitest';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, dataBlock, eventTrail, recordEvents, succeed, tokens, userText } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

const threeSteps = plan([addStep('s1'), addStep('s2'), addStep('s3', ['s1'])]);

/** Planner (plan + synthesis, as the default synthesizer uses the planner's model) and executor scripts for `threeSteps`. */
function scriptedRun() {
  const planner = createScriptedModel([scriptPlan(threeSteps, { input: 100, output: 50 }), text('Sums: 3, 7 and 13.', { input: 7, output: 3 })], {
    name: 'planner',
  });
  const executor = createScriptedModel(
    [
      toolCall('add', { a: 1, b: 2 }),
      succeed('sum is 3'),
      toolCall('add', { a: 3, b: 4 }),
      succeed('sum is 7'),
      toolCall('add', { a: 3, b: 10 }),
      succeed('sum is 13'),
    ],
    { name: 'executor' },
  );
  const add = createAddTool();
  const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool }, concurrency: 1 });
  return { planner, executor, add, agent };
}

describe('PlanAndExecute with scripted models', () => {
  it('plans, runs every step with its tool and synthesises when every step succeeds', async () => {
    const { planner, executor, add, agent } = scriptedRun();
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Add three pairs of numbers', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.error).toBeNull();
    expect(result.finalOutput).toBe('Sums: 3, 7 and 13.');
    expect(result.replanned).toBe(false);
    expect(result.revisions).toEqual([]);
    expect(result.initialPlan).toEqual(threeSteps);
    expect(result.plan.map((step) => [step.id, step.status, step.output, step.attempts])).toEqual([
      ['s1', 'done', 'sum is 3', 1],
      ['s2', 'done', 'sum is 7', 1],
      ['s3', 'done', 'sum is 13', 1],
    ]);
    expect(result.steps.map((step) => [step.stepId, step.attempt, step.status, step.toolCalls, step.usage])).toEqual([
      ['s1', 1, 'done', 1, tokens(20, 40)],
      ['s2', 1, 'done', 1, tokens(20, 40)],
      ['s3', 1, 'done', 1, tokens(20, 40)],
    ]);
    expect(add.inputs).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
      { a: 3, b: 10 },
    ]);
    expect(planner.calls).toHaveLength(2);
    expect(executor.calls).toHaveLength(6);
    expect(planner.remaining).toBe(0);
    expect(executor.remaining).toBe(0);
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      'step-started:s1',
      'step-finished:s1',
      'step-started:s2',
      'step-finished:s2',
      'step-started:s3',
      'step-finished:s3',
      'synthesis-finished',
      'run-finished',
    ]);
    expect(new Set(events.map((event) => event.runId))).toEqual(new Set([result.runId]));
  });

  it('counts the tokens of every model call by role', async () => {
    const { agent } = scriptedRun();

    const { usage } = await agent.run('Add three pairs of numbers');

    expect(usage).toEqual({
      ...tokens(100 + 60 + 7, 50 + 120 + 3),
      byRole: { planner: tokens(100, 50), executor: tokens(60, 120), synthesizer: tokens(7, 3) },
    });
  });

  it("gives a dependent step its dependency's output as data and no other step's output", async () => {
    const { executor, agent } = scriptedRun();

    await agent.run('Add three pairs of numbers');

    const s3Prompt = userText(executor.calls[4]);
    expect(s3Prompt).toContain(
      `Your step (s3):\n${dataBlock('step', 'Add the numbers of s3\nExpected output: s3 result')}\n${dataBlock('output of s1 (Add the numbers of s1)', 'sum is 3')}\n`,
    );
    expect(s3Prompt).not.toContain('sum is 7');
    // A step without dependencies says nothing about them.
    expect(userText(executor.calls[0])).not.toContain('output of');
  });

  it('returns the tool result to the executor model and quotes every output to the synthesizer', async () => {
    const { planner, executor, agent } = scriptedRun();

    await agent.run('Add three pairs of numbers');

    expect(executor.calls[1]!.at(-1)).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolName: 'add', output: { type: 'json', value: { sum: 3 } } }],
    });
    const synthesisPrompt = userText(planner.calls[1]);
    expect(synthesisPrompt).toContain(dataBlock('s1: Add the numbers of s1', 'sum is 3'));
    expect(synthesisPrompt).toContain(dataBlock('s2: Add the numbers of s2', 'sum is 7'));
    expect(synthesisPrompt).toContain(dataBlock('s3: Add the numbers of s3', 'sum is 13'));
  });

  it('lists the tools with their descriptions in the planner prompt and asks for JSON by schema', async () => {
    const { planner, agent } = scriptedRun();

    await agent.run('Add three pairs of numbers');

    expect(userText(planner.calls[0])).toContain('Tools the executor has:\n- add: Add two numbers\n');
    expect(userText(planner.calls[0])).toContain(dataBlock('task', 'Add three pairs of numbers'));
    expect(planner.callOptions[0]!.responseFormat).toMatchObject({ type: 'json' });
    expect(planner.callOptions[1]!.responseFormat).toBeUndefined();
  });

  it('uses a separate synthesizer model when one is given', async () => {
    const planner = createScriptedModel([scriptPlan(plan([addStep('s1')]))], { name: 'planner' });
    const executor = createScriptedModel([toolCall('add', { a: 2, b: 2 }), succeed('sum is 4')], { name: 'executor' });
    const synthesizer = createScriptedModel([text('The sum is 4.', { input: 5, output: 5 })], { name: 'synthesizer' });
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor, synthesizer, tools: { add: add.tool } });

    const result = await agent.run('Add 2 and 2');

    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe('The sum is 4.');
    expect([planner.calls.length, executor.calls.length, synthesizer.calls.length]).toEqual([1, 2, 1]);
    expect([planner.remaining, executor.remaining, synthesizer.remaining]).toEqual([0, 0, 0]);
    expect(result.usage.byRole.synthesizer).toEqual(tokens(5, 5));
  });

  it('returns the last step output without a synthesis call when synthesize is false', async () => {
    const planner = createScriptedModel([scriptPlan(plan([addStep('s1')]))], { name: 'planner' });
    const executor = createScriptedModel([toolCall('add', { a: 2, b: 2 }), succeed('sum is 4')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool }, synthesize: false });

    const result = await agent.run('Add 2 and 2');

    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe('sum is 4');
    expect(planner.calls).toHaveLength(1);
    expect(result.usage.byRole.synthesizer).toEqual(tokens(0, 0));
  });
});
