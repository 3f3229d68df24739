import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../src/engine/plan-schema.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, error, json, scriptPlan, text, type ScriptedResponse } from '../../src/testing/index.ts';
import { createAddTool, eventTrail, recordEvents, succeed, userText } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

const goodPlan = plan([step('s1')]);
const cyclicPlan = plan([step('a', ['b']), step('b', ['a'])]);
const CYCLE_ISSUE = 'The steps depend on each other in a cycle: a → b → a. Remove one of these dependencies.';

/** An agent whose planner answers `planReplies` then the synthesis, and whose executor finishes s1. */
function agentWithPlanner(planReplies: ScriptedResponse[]) {
  const planner = createScriptedModel([...planReplies, text('Final answer.')], { name: 'planner' });
  const executor = createScriptedModel([succeed('s1 done')], { name: 'executor' });
  const agent = new PlanAndExecute({ planner, executor });
  return { planner, executor, agent };
}

afterEach(() => vi.restoreAllMocks());

describe('PlanAndExecute plan repair', () => {
  it('sends a plan that is not JSON back to the planner and runs the repaired plan', async () => {
    const { planner, executor, agent } = agentWithPlanner([text('Sure! First I will do s1.'), scriptPlan(goodPlan)]);
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.initialPlan).toEqual(goodPlan);
    expect(planner.calls).toHaveLength(3);
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
    expect(userText(planner.calls[0])).not.toContain('Your previous answer was rejected');
    expect(userText(planner.calls[1])).toContain(
      'Your previous answer was rejected. Fix every problem:\n- The answer is not JSON; answer with exactly one JSON object with the fields goal, steps, rationale.\n\nAnswer with one JSON object of the response schema.',
    );
    expect(events.find((event) => event.type === 'plan-invalid')).toMatchObject({
      issues: ['The answer is not JSON; answer with exactly one JSON object with the fields goal, steps, rationale.'],
      attempt: 1,
    });
    expect(eventTrail(events).slice(0, 3)).toEqual(['run-started', 'plan-invalid', 'plan-created']);
    expect(events.find((event) => event.type === 'plan-created')).toMatchObject({ attempt: 2 });
    expect(result.usage.byRole.planner).toEqual({ inputTokens: 20, outputTokens: 40, totalTokens: 60 });
  });

  it("sends a plan with missing required fields back with the validator's issues (omitted nullable fields are filled in)", async () => {
    const incomplete = { goal: 'Reach the goal', steps: [{ id: 's1', description: 'Do s1' }] };
    const { planner, agent } = agentWithPlanner([json(incomplete), scriptPlan(goodPlan)]);
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Reach the goal', { onEvent });

    const issues = [
      'steps[0].expectedOutput: Invalid input: expected string, received undefined',
      'steps[0].dependsOn: Invalid input: expected array, received undefined',
    ];
    expect(result.status).toBe('completed');
    expect(planner.calls).toHaveLength(3);
    expect(userText(planner.calls[1])).toContain(`Fix every problem:\n${issues.map((issue) => `- ${issue}`).join('\n')}`);
    expect(events.filter((event) => event.type === 'plan-invalid')).toMatchObject([{ issues, attempt: 1 }]);
  });

  it('sends a cyclic plan back naming the cycle', async () => {
    const { planner, agent } = agentWithPlanner([scriptPlan(cyclicPlan), scriptPlan(goodPlan)]);
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.initialPlan).toEqual(goodPlan);
    expect(userText(planner.calls[1])).toContain(`Fix every problem:\n- ${CYCLE_ISSUE}`);
    expect(events.filter((event) => event.type === 'plan-invalid')).toMatchObject([{ issues: [CYCLE_ISSUE], attempt: 1 }]);
    expect(planner.remaining).toBe(0);
  });

  it('fails with PLAN_INVALID when the plan stays cyclic for every attempt', async () => {
    const planner = createScriptedModel([scriptPlan(cyclicPlan), scriptPlan(cyclicPlan), scriptPlan(cyclicPlan)], { name: 'planner' });
    const executor = createScriptedModel([], { name: 'executor' });
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor });

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'PLAN_INVALID', message: `The plan is invalid: ${CYCLE_ISSUE}`, issues: [CYCLE_ISSUE] });
    expect(result.initialPlan).toBeNull();
    expect(result.plan).toEqual([]);
    expect(result.steps).toEqual([]);
    expect(result.finalOutput).toBe('');
    expect([planner.calls.length, executor.calls.length, planner.remaining]).toEqual([3, 0, 0]);
    expect(eventTrail(events)).toEqual(['run-started', 'plan-invalid', 'plan-invalid', 'plan-invalid', 'run-finished']);
    expect(events.filter((event) => event.type === 'plan-invalid').map((event) => event.attempt)).toEqual([1, 2, 3]);
    const finished = events.at(-1);
    expect(finished?.type === 'run-finished' && finished.error?.name).toBe('PlanValidationError');
    expect(result.usage.byRole.planner).toEqual({ inputTokens: 30, outputTokens: 60, totalTokens: 90 });
  });

  it('rejects a tool the executor does not have and accepts the repaired plan', async () => {
    const withUnknownTool: Plan = plan([step('s1', [], { toolHint: 'search' })]);
    const planner = createScriptedModel([scriptPlan(withUnknownTool), scriptPlan(goodPlan), text('Final answer.')], { name: 'planner' });
    const executor = createScriptedModel([succeed('s1 done')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool } });

    const result = await agent.run('Reach the goal');

    expect(result.status).toBe('completed');
    expect(userText(planner.calls[1])).toContain('- Step "s1" names tool "search", which does not exist; use one of "add", or null.');
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
  });

  it('calls the planner again, without a repair round, when its model call throws', async () => {
    // The role agents send Mastra's error log of the failed call to debug: nothing reaches the terminal.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { planner, executor, agent } = agentWithPlanner([error(new Error('503 Service Unavailable')), scriptPlan(goodPlan)]);
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Reach the goal', { onEvent });

    expect(result.status).toBe('completed');
    expect(eventTrail(events).slice(0, 2)).toEqual(['run-started', 'plan-created']);
    expect(events.find((event) => event.type === 'plan-created')).toMatchObject({ attempt: 1 });
    expect(userText(planner.calls[1])).toBe(userText(planner.calls[0]));
    expect([planner.calls.length, executor.calls.length, planner.remaining]).toEqual([3, 1, 0]);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
