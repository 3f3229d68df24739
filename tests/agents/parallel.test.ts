import { describe, expect, it } from 'vitest';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, scriptReplan, text, toolCall, type ScriptedCall, type ScriptedReply } from '../../src/testing/index.ts';
import { addStep, createAddTool, dataBlock, eventTrail, fail, recordEvents, succeed, userText } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

type StepScript = { readonly first: ScriptedReply; readonly afterTool?: ScriptedReply };

/**
 * An executor script for steps that may run at once: every call is answered by the step named in
 * its prompt, with `first` and, once a tool result came back, `afterTool`. `order` records the step of each call.
 */
function executorFor(scripts: Record<string, StepScript>) {
  const order: string[] = [];
  const answer = ({ prompt }: ScriptedCall): ScriptedReply => {
    const stepId = /Your step \((\w+)\)/.exec(userText(prompt))?.[1] ?? '?';
    order.push(stepId);
    const script = scripts[stepId];
    if (!script) throw new Error(`No script for step ${stepId}`);
    return prompt.at(-1)?.role === 'tool' && script.afterTool ? script.afterTool : script.first;
  };
  const calls = Object.values(scripts).reduce((count, script) => count + (script.afterTool ? 2 : 1), 0);
  return {
    model: createScriptedModel(
      Array.from({ length: calls }, () => answer),
      { name: 'executor' },
    ),
    order,
  };
}

const fanIn = plan([addStep('s1'), addStep('s2'), step('s3', ['s1', 's2'], { description: 'Add both sums' })]);
const fanInScripts: Record<string, StepScript> = {
  s1: { first: toolCall('add', { a: 1, b: 2 }), afterTool: succeed('sum is 3') },
  s2: { first: toolCall('add', { a: 3, b: 4 }), afterTool: succeed('sum is 7') },
  s3: { first: succeed('total is 10') },
};

describe('PlanAndExecute with independent steps', () => {
  it('runs independent steps at once and gives the joining step both outputs', async () => {
    const planner = createScriptedModel([scriptPlan(fanIn), text('The total is 10.')], { name: 'planner' });
    const executor = executorFor(fanInScripts);
    const add = createAddTool();
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor: executor.model, tools: { add: add.tool }, concurrency: 2 });

    const result = await agent.run('Add two pairs, then the sums', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.plan.map((tracked) => [tracked.id, tracked.status, tracked.output])).toEqual([
      ['s1', 'done', 'sum is 3'],
      ['s2', 'done', 'sum is 7'],
      ['s3', 'done', 'total is 10'],
    ]);
    // Both independent steps called the model before either finished.
    expect(executor.order.slice(0, 2)).toEqual(['s1', 's2']);
    expect(eventTrail(events).slice(2, 4)).toEqual(['step-started:s1', 'step-started:s2']);
    expect(executor.order.at(-1)).toBe('s3');
    expect(add.inputs).toHaveLength(2);
    expect(add.inputs).toEqual(
      expect.arrayContaining([
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ]),
    );
    const s3Prompt = userText(executor.model.calls.at(-1));
    expect(s3Prompt).toContain(dataBlock('output of s1 (Add the numbers of s1)', 'sum is 3'));
    expect(s3Prompt).toContain(dataBlock('output of s2 (Add the numbers of s2)', 'sum is 7'));
    expect([planner.calls.length, executor.model.calls.length, planner.remaining, executor.model.remaining]).toEqual([2, 5, 0, 0]);
  });

  it('runs the steps strictly in plan order with concurrency 1', async () => {
    const planner = createScriptedModel([scriptPlan(fanIn), text('The total is 10.')], { name: 'planner' });
    const executor = executorFor(fanInScripts);
    const agent = new PlanAndExecute({ planner, executor: executor.model, tools: { add: createAddTool().tool }, concurrency: 1 });

    const result = await agent.run('Add two pairs, then the sums');

    expect(result.status).toBe('completed');
    expect(executor.order).toEqual(['s1', 's1', 's2', 's2', 's3']);
  });

  it('lets a running step finish before replanning a failed one, and keeps its output', async () => {
    const planner = createScriptedModel(
      [
        scriptPlan(plan([step('s1'), addStep('s2')])),
        scriptReplan({ action: 'revise', steps: [step('s3', ['s2'])], rationale: 'Use the sum instead' }),
        text('Done.'),
      ],
      { name: 'planner' },
    );
    const executor = executorFor({
      s1: { first: fail('No data for s1') },
      s2: { first: toolCall('add', { a: 3, b: 4 }), afterTool: succeed('sum is 7') },
      s3: { first: succeed('used 7') },
    });
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor: executor.model, tools: { add: createAddTool().tool } });

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.plan.map((tracked) => [tracked.id, tracked.status])).toEqual([
      ['s2', 'done'],
      ['s3', 'done'],
    ]);
    const trail = eventTrail(events);
    expect(trail.indexOf('plan-revised')).toBeGreaterThan(trail.indexOf('step-finished:s2'));
    expect(userText(planner.calls[1])).toContain(dataBlock('output of s2', 'sum is 7'));
    expect(result.revisions[0]).toMatchObject({ failedStepId: 's1', stepsAfter: [addStep('s2'), step('s3', ['s2'])] });
    expect([executor.model.calls.length, executor.model.remaining, planner.remaining]).toEqual([4, 0, 0]);
  });
});
