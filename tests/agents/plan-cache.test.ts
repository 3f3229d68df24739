import type { ToolsInput } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { InMemoryPlanCache } from '../../src/engine/plan-cache.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, text } from '../../src/testing/index.ts';
import { createAddTool, directAddStep, modelCalls, recordEvents, scriptModelPlan } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

const TASK = 'Add 1 and 2, then add 3';
const sums = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 3 })]);
const fetchTool = createTool({ id: 'fetch', description: 'Fetch a page', inputSchema: z.object({ url: z.string() }), execute: async () => 'page' });

/** Two runs of TASK sharing `cache`; each gets its own scripted planner (plan then synthesis, or synthesis alone). */
async function twoRuns(cache: InMemoryPlanCache, { secondTools = false, clock }: { secondTools?: boolean; clock?: { now: number } } = {}) {
  const firstPlanner = createScriptedModel([scriptModelPlan(sums), text('6')], { name: 'planner' });
  const first = new PlanAndExecute({
    planner: firstPlanner,
    executor: createScriptedModel([]),
    tools: { add: createAddTool().tool },
    planCache: cache,
    planCacheTtlMs: 1_000,
  });
  await first.run(TASK);
  if (clock) clock.now += 1_000;
  // Enough script for a planner call either way; what it was asked tells hit from miss.
  const secondPlanner = createScriptedModel([scriptModelPlan(sums), text('6'), text('6')], { name: 'planner' });
  const tools: ToolsInput = secondTools ? { add: createAddTool().tool, fetch: fetchTool } : { add: createAddTool().tool };
  const second = new PlanAndExecute({ planner: secondPlanner, executor: createScriptedModel([]), tools, planCache: cache, planCacheTtlMs: 1_000 });
  const { events, onEvent } = recordEvents();
  const result = await second.run(`  ${TASK.toUpperCase()} `, { onEvent });
  return { firstPlanner, secondPlanner, events, result };
}

describe('PlanAndExecute with a plan cache', () => {
  it('runs the same task a second time with 0 planner calls: the synthesis is the only model call', async () => {
    const { firstPlanner, secondPlanner, events, result } = await twoRuns(new InMemoryPlanCache());

    expect([firstPlanner.calls.length, secondPlanner.calls.length]).toEqual([2, 1]);
    expect(modelCalls(events)).toEqual(['synthesizer::text']);
    expect(events.filter((event) => event.type === 'plan-cached')).toHaveLength(1);
    expect([result.status, result.initialPlan]).toEqual(['completed', sums]);
    expect(result.usage.byRole.planner).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  it('asks the planner again once the cached plan expired', async () => {
    const clock = { now: 1_000_000 };
    const { secondPlanner, events } = await twoRuns(new InMemoryPlanCache({ now: () => clock.now }), { clock });

    expect(secondPlanner.calls.length).toBe(2);
    expect(modelCalls(events)).toEqual(['planner::native', 'synthesizer::text']);
    expect(events.some((event) => event.type === 'plan-cached')).toBe(false);
  });

  it('misses when the tool catalogue changed', async () => {
    const { secondPlanner, events } = await twoRuns(new InMemoryPlanCache(), { secondTools: true });

    expect(secondPlanner.calls.length).toBe(2);
    expect(events.some((event) => event.type === 'plan-cached')).toBe(false);
  });

  it('misses when the planner has other instructions', async () => {
    const cache = new InMemoryPlanCache();
    await twoRuns(cache);
    const planner = createPlannerAgent({ model: createScriptedModel([scriptModelPlan(sums), text('6')], { name: 'planner' }), instructions: 'Plan tersely.' });
    const agent = new PlanAndExecute({ planner, executor: createScriptedModel([]), tools: { add: createAddTool().tool }, planCache: cache });

    const { events, onEvent } = recordEvents();
    await agent.run(TASK, { onEvent });

    expect(modelCalls(events)).toEqual(['planner::native', 'synthesizer::text']);
  });
});
