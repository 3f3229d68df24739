import { describe, expect, it } from 'vitest';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { InMemoryPlanCache, normaliseTask, planCacheKey, type PlanCache } from '../../src/engine/plan-cache.ts';
import type { ToolInfo } from '../../src/engine/ports.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { fakeExecutor, fakePlanner, fakeSynthesizer, settings, type ExecutorAction } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';

const TOOLS: ToolInfo[] = [{ name: 'search', description: 'Search the web', inputSchema: { type: 'object', properties: { query: { type: 'string' } } } }];
const key = (task: string, tools: readonly ToolInfo[] = TOOLS, plannerIdentity = 'scripted/planner#1') => planCacheKey({ task, tools, plannerIdentity });
const twoSteps = plan([step('a', [], { toolHint: 'search' }), step('b', ['a'])]);

describe('planCacheKey', () => {
  it('normalises the task: trimmed, whitespace collapsed, case ignored', () => {
    expect(normaliseTask('  Write   the\tRELEASE notes \n')).toBe('write the release notes');
    expect(key('  Write   the\tRELEASE notes \n')).toBe(key('write the release notes'));
    expect(key('write the release notes')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the order of tools and of schema keys', () => {
    const other = { name: 'fetch', description: 'Fetch a page' };
    const reordered = [
      { ...other },
      { name: 'search', description: 'Search the web', inputSchema: { properties: { query: { type: 'string' } }, type: 'object' } },
    ];
    expect(key('t', [TOOLS[0]!, other])).toBe(key('t', reordered));
  });

  it.each<[string, string]>([
    ['another task', key('write the changelog')],
    ['another tool set', key('t', [...TOOLS, { name: 'fetch', description: 'Fetch a page' }])],
    ['another input schema', key('t', [{ ...TOOLS[0]!, inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }])],
    ['another planner', key('t', TOOLS, 'openai/gpt-4o#1')],
  ])('changes with %s', (_change, other) => {
    expect(other).not.toBe(key('t'));
  });
});

describe('InMemoryPlanCache', () => {
  it('returns a copy of the plan until its TTL runs out', async () => {
    let now = 1_000;
    const cache = new InMemoryPlanCache({ now: () => now });
    await cache.set('k', twoSteps, 500);
    const got = await cache.get('k');
    got!.goal = 'changed';

    now = 1_499;
    expect(await cache.get('k')).toEqual(twoSteps);
    now = 1_500;
    expect([await cache.get('k'), cache.size]).toEqual([null, 0]);
  });

  it('keeps at most maxEntries plans, dropping the least recently used', async () => {
    const cache = new InMemoryPlanCache({ maxEntries: 2 });
    await cache.set('a', twoSteps, 60_000);
    await cache.set('b', twoSteps, 60_000);
    await cache.get('a');
    await cache.set('c', twoSteps, 60_000);

    expect([await cache.get('a'), await cache.get('b'), await cache.get('c'), cache.size]).toEqual([twoSteps, null, twoSteps, 2]);
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    expect(() => new InMemoryPlanCache({ maxEntries: 0 })).toThrow('Expected `maxEntries` to be an integer from 1 and up, got 0 (number)');
  });
});

/** A run of `task` with a cache: the planner answers `plans` in order. */
function cachedRun(
  cache: PlanCache,
  plans: unknown[],
  options: { task?: string; tools?: ToolInfo[]; script?: Record<string, ExecutorAction[]>; replanOnFailure?: boolean } = {},
) {
  const events: PlanRunEvent[] = [];
  const planner = fakePlanner({ plans, decisions: [{ action: 'skip', steps: null, rationale: 'not needed' }] });
  const input = {
    task: options.task ?? 'Write the release notes',
    planner,
    executor: fakeExecutor({ script: options.script ?? {} }),
    synthesizer: fakeSynthesizer(),
    tools: options.tools ?? TOOLS,
    settings: settings({ planCacheTtlMs: 60_000, replanOnFailure: options.replanOnFailure ?? true }),
    planCache: cache,
    plannerIdentity: 'fake',
    onEvent: (event: PlanRunEvent) => void events.push(event),
  };
  return { planner, events, run: () => runPlan(input) };
}

describe('the plan cache in a run', () => {
  it('stores the plan of a completed run and gives it to the next run of the same task: no planner call, plan-cached then plan-created (attempt 0)', async () => {
    const cache = new InMemoryPlanCache();
    const first = cachedRun(cache, [twoSteps]);
    await first.run();
    const second = cachedRun(cache, [], { task: '  WRITE the release notes' });

    const result = await second.run();

    expect([first.planner.planRequests.length, second.planner.planRequests.length]).toEqual([1, 0]);
    expect(result.status).toBe('completed');
    expect(result.initialPlan).toEqual(twoSteps);
    const cacheKey = planCacheKey({ task: 'Write the release notes', tools: TOOLS, plannerIdentity: 'fake' });
    expect(second.events.slice(1, 3)).toMatchObject([
      { type: 'plan-cached', plan: twoSteps, key: cacheKey },
      { type: 'plan-created', plan: twoSteps, attempt: 0 },
    ]);
    expect(first.events.some((event) => event.type === 'plan-cached')).toBe(false);
  });

  it('drops a cached plan that no longer passes validation (its tool is gone) and asks the planner', async () => {
    const cache = new InMemoryPlanCache();
    const fixed = plan([step('a')]);
    // Stored under today's key, as if the catalogue had changed under the same key.
    await cache.set(
      planCacheKey({ task: 'Write the release notes', tools: TOOLS, plannerIdentity: 'fake' }),
      plan([step('a', [], { toolHint: 'browser' })]),
      60_000,
    );
    const run = cachedRun(cache, [fixed]);

    const result = await run.run();

    expect([run.planner.planRequests.length, result.initialPlan]).toEqual([1, fixed]);
    expect(run.events.some((event) => event.type === 'plan-cached')).toBe(false);
    // The new plan, having completed, replaced the invalid one.
    expect(await cache.get(planCacheKey({ task: 'Write the release notes', tools: TOOLS, plannerIdentity: 'fake' }))).toEqual(fixed);
  });

  it('stores nothing from a run that completed only after a revision (the replanner skipped a step)', async () => {
    const cache = new InMemoryPlanCache();
    const result = await cachedRun(cache, [twoSteps], { script: { b: [{ fail: 'no access' }] } }).run();
    expect([result.status, result.replanned, cache.size]).toEqual(['completed', true, 0]);
  });

  it('stores nothing from a run that failed', async () => {
    const cache = new InMemoryPlanCache();
    const result = await cachedRun(cache, [twoSteps], { script: { a: [{ fail: 'no access' }] }, replanOnFailure: false }).run();
    expect([result.status, cache.size]).toEqual(['failed', 0]);
  });

  it('treats a cache that throws as a miss and a failed store as not stored', async () => {
    const broken: PlanCache = {
      get: async () => {
        throw new Error('cache down');
      },
      set: async () => {
        throw new Error('cache down');
      },
    };
    const run = cachedRun(broken, [twoSteps]);

    expect((await run.run()).status).toBe('completed');
    expect(run.planner.planRequests).toHaveLength(1);
  });
});
