import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InMemoryPlanCache, type PlanCache } from '../../src/engine/plan-cache.ts';
import type { Plan } from '../../src/engine/plan-schema.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { harness, TWO_STEP_EVENTS } from '../helpers/run-harness.ts';
import { plan, step } from '../helpers/plans.ts';

const twoSteps = plan([step('a'), step('b', ['a'])]);
const never = new Promise<never>(() => undefined);

/** A plan cache whose `get` and/or `set` never settle (a database that hangs); counts the calls. */
function hangingCache({ get = false, set = false }: { get?: boolean; set?: boolean }) {
  const memory = new InMemoryPlanCache();
  const calls = { get: 0, set: 0 };
  const cache: PlanCache = {
    get(key: string): Promise<Plan | null> {
      calls.get++;
      return get ? never : memory.get(key);
    },
    set(key: string, value: Plan, ttlMs: number): Promise<void> {
      calls.set++;
      return set ? never : memory.set(key, value, ttlMs);
    },
  };
  return { cache, calls, memory };
}

/** A harness run with `cache` and `abortSignal`; callTimeoutMs 200 unless told (the planner and synthesizer fakes answer at once). */
function cachedRun(cache: PlanCache, { callTimeoutMs = 200, abortSignal }: { callTimeoutMs?: number; abortSignal?: AbortSignal } = {}) {
  const run = harness({ plans: [twoSteps], settings: { callTimeoutMs }, abortSignal });
  return { ...run, run: () => runPlan({ ...run.input, planCache: cache, plannerIdentity: 'fake' }) };
}

describe('a plan cache that never answers', () => {
  it('leaves no unhandled rejection behind when the run was cancelled before the lookup (vitest fails a file on one)', async () => {
    const { cache, calls } = hangingCache({ get: true });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const result = await cachedRun(cache, { callTimeoutMs: 20, abortSignal: AbortSignal.abort() }).run();
      await sleep(60);
      expect([result.status, calls.get, rejections]).toEqual(['cancelled', 1, []]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('counts a get with no answer within callTimeoutMs as a miss: the planner plans and the run completes (no abort signal)', async () => {
    const { cache, calls } = hangingCache({ get: true });
    const run = cachedRun(cache);

    const result = await run.run();

    expect([result.status, result.error, result.initialPlan]).toEqual(['completed', null, twoSteps]);
    expect([calls.get, run.planner.planRequests.length]).toEqual([1, 1]);
    expect(run.types()).toEqual(TWO_STEP_EVENTS);
  });

  it('gives up on a set with no answer within callTimeoutMs as on a failing one: the run still completes', async () => {
    const { cache, calls, memory } = hangingCache({ set: true });
    const run = cachedRun(cache);

    const result = await run.run();

    expect([result.status, result.error]).toEqual(['completed', null]);
    expect([calls.get, calls.set, memory.size]).toEqual([1, 1, 0]);
    expect(run.types().at(-1)).toBe('run-finished');
  });

  it('still ends cancelled when the run is cancelled while the get hangs', async () => {
    const { cache } = hangingCache({ get: true });
    const controller = new AbortController();
    const run = cachedRun(cache, { callTimeoutMs: 60_000, abortSignal: controller.signal });
    const running = run.run();
    setTimeout(() => controller.abort(new Error('stop')), 20);

    const result = await running;

    expect([result.status, result.error?.code]).toEqual(['cancelled', 'RUN_CANCELLED']);
    expect(run.planner.planRequests).toHaveLength(0);
    expect(run.types()).toEqual(['run-started', 'run-finished']);
  });
});
