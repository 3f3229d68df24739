import { describe, expect, it } from 'vitest';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { fakeExecutor, fakePlanner, fakeSynthesizer, settings } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { TASK, TOOLS } from '../helpers/run-harness.ts';

const twoSteps = plan([step('a'), step('b', ['a'])]);

/**
 * A step that "kills its process": when b's attempt reaches the executor (its start already
 * stored), the store is copied as a SIGKILL would leave it and the run is stopped, so the copy is
 * what the next process finds.
 */
function crashingInB(store: InMemoryRunStore, runId: string, next: InMemoryRunStore) {
  const controller = new AbortController();
  const executor = fakeExecutor({
    script: {
      b: Array.from({ length: 10 }, () => async () => {
        await next.save((await store.load(runId))!);
        controller.abort();
        return new Promise<never>(() => {});
      }),
    },
  });
  return { executor, abortSignal: controller.signal };
}

describe('crash loops', () => {
  it('fails a step for good after it crashed more than maxCrashRestarts times, through the failure policy', async () => {
    let store = new InMemoryRunStore();
    let next = new InMemoryRunStore();
    const first = crashingInB(store, 'loop', next);
    await runPlan({
      task: TASK,
      planner: fakePlanner({ plans: [twoSteps] }),
      synthesizer: fakeSynthesizer(),
      ...first,
      tools: TOOLS,
      settings: settings({ replanOnFailure: false }),
      runId: 'loop',
      store,
    });
    let bCalls = first.executor.callCount('b');
    for (let crash = 1; crash <= 3; crash++) {
      [store, next] = [next, new InMemoryRunStore()];
      const again = crashingInB(store, 'loop', next);
      await resumePlan({
        planner: fakePlanner(),
        synthesizer: fakeSynthesizer(),
        ...again,
        tools: TOOLS,
        settings: settings({ replanOnFailure: false }),
        runId: 'loop',
        store,
      });
      bCalls += again.executor.callCount('b');
      const b = (await next.load('loop'))!.snapshot!.steps.find((candidate) => candidate.id === 'b')!;
      expect([b.status, b.attempts, b.crashes]).toEqual(['in_progress', crash + 1, crash]);
    }
    // The fourth crash: b is not started again; the policy (replanning off) fails the run.
    const last = fakeExecutor();
    const result = await resumePlan({
      planner: fakePlanner(),
      executor: last,
      synthesizer: fakeSynthesizer(),
      tools: TOOLS,
      settings: settings({ replanOnFailure: false }),
      runId: 'loop',
      store: next,
    });
    expect(bCalls).toBe(4);
    expect(last.calls).toEqual([]);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('STEP_FAILED');
    expect(result.error?.message).toContain('Step "b" was cut off by a crash 4 times (maxCrashRestarts: 3); it is not started again');
    expect(result.plan.map(({ id, status, attempts, crashes }) => [id, status, attempts, crashes])).toEqual([
      ['a', 'done', 1, undefined],
      ['b', 'failed', 4, 4],
    ]);
  });

  it('sends a crash-looping step to the replanner when replanning is on', async () => {
    let store = new InMemoryRunStore();
    let next = new InMemoryRunStore();
    const first = crashingInB(store, 'replan', next);
    await runPlan({
      task: TASK,
      planner: fakePlanner({ plans: [twoSteps] }),
      synthesizer: fakeSynthesizer(),
      ...first,
      tools: TOOLS,
      settings: settings({ maxCrashRestarts: 0 }),
      runId: 'replan',
      store,
    });
    [store, next] = [next, new InMemoryRunStore()];
    const planner = fakePlanner({ decisions: [{ action: 'skip', steps: null, rationale: 'b crashes the process' }] });
    const executor = fakeExecutor();
    const result = await resumePlan({
      planner,
      executor,
      synthesizer: fakeSynthesizer(),
      tools: TOOLS,
      settings: settings({ maxCrashRestarts: 0 }),
      runId: 'replan',
      store,
    });
    expect(executor.calls).toEqual([]);
    expect(result.plan.map(({ id, status }) => [id, status])).toEqual([
      ['a', 'done'],
      ['b', 'skipped'],
    ]);
    expect(result.status).toBe('completed');
  });
});
