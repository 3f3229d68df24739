import { describe, expect, it } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore, type RunRecord } from '../../src/engine/run-store.ts';
import { PlanTracker } from '../../src/engine/tracker.ts';
import { fakeExecutor, fakePlanner, fakeSynthesizer, settings, type ExecutorAction } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { TASK, TOOLS } from '../helpers/run-harness.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const threeSteps = plan([step('a'), step('b', ['a']), step('c', ['b'])]);
const slow = (id: string): ExecutorAction[] => [{ ok: `${id} out`, delayMs: 20 }];

/** A stored run with a plan and nothing done, as a crash after planning leaves it (no lease held). */
async function plannedRun(store: InMemoryRunStore, runId: string): Promise<void> {
  const record: RunRecord = { ...emptyRecord(runId, 'running', TASK), snapshot: PlanTracker.fromPlan(threeSteps).snapshot() };
  await store.save(record);
}

function roles() {
  return { planner: fakePlanner(), executor: fakeExecutor({ script: { a: slow('a'), b: slow('b'), c: slow('c') } }), synthesizer: fakeSynthesizer() };
}

describe('one owner per run', () => {
  it('runs every step once when two resumers start together, and keeps the finished record', async () => {
    const store = new InMemoryRunStore();
    await plannedRun(store, 'two');
    const [first, second] = [roles(), roles()];
    const outcomes = await Promise.allSettled([
      resumePlan({ ...first, tools: TOOLS, settings: settings(), runId: 'two', store }),
      resumePlan({ ...second, tools: TOOLS, settings: settings(), runId: 'two', store }),
    ]);
    const executions = [...first.executor.calls, ...second.executor.calls].map((call) => call.stepId).sort();
    expect(executions).toEqual(['a', 'b', 'c']);
    const statuses = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value.status, outcome.value.error?.code ?? null] : ['rejected', (outcome.reason as { code?: string }).code],
    );
    expect(statuses.filter(([status]) => status === 'completed')).toHaveLength(1);
    // The one that lost the run stops before executing anything and stores nothing.
    expect(statuses.filter(([status]) => status !== 'completed')).toEqual([expect.arrayContaining(['RUN_LOCKED'])]);
    const winner = outcomes.find((outcome) => outcome.status === 'fulfilled' && outcome.value.status === 'completed');
    expect((await store.load('two'))?.result).toEqual(winner?.status === 'fulfilled' ? winner.value : null);
    // A third resume returns the stored result and runs nothing.
    const third = roles();
    expect((await resumePlan({ ...third, tools: TOOLS, settings: settings(), runId: 'two', store })).status).toBe('completed');
    expect(third.executor.calls).toEqual([]);
  });

  it('refuses a resumer with RUN_LOCKED naming the owner while a step runs, or makes it wait by option', async () => {
    const store = new InMemoryRunStore();
    await plannedRun(store, 'busy');
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const owner = {
      ...roles(),
      executor: fakeExecutor({
        script: {
          a: [
            async () => (
              started(),
              await gate,
              { value: { success: true, output: 'a out', error: null }, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, toolCalls: 0 }
            ),
          ],
        },
      }),
    };
    const first = resumePlan({ ...owner, tools: TOOLS, settings: settings(), runId: 'busy', store });
    await running;
    const other = roles();
    const refused = await resumePlan({ ...other, tools: TOOLS, settings: settings(), runId: 'busy', store }).catch((error: unknown) => error);
    expect(isPlanExecuteError(refused, 'RUN_LOCKED')).toBe(true);
    if (!isPlanExecuteError(refused, 'RUN_LOCKED')) return;
    expect(refused.owner).toMatch(new RegExp(`:${process.pid}:`));
    expect(Date.parse(refused.expiresAt!)).toBeGreaterThan(Date.now());
    expect(refused.message).toContain(`Run "busy" is held by "${refused.owner}" until ${refused.expiresAt}`);

    const waiting = resumePlan({ ...other, tools: TOOLS, settings: settings({ leaseWaitMs: 5_000 }), runId: 'busy', store });
    release();
    const [done, waited] = await Promise.all([first, waiting]);
    expect(done.status).toBe('completed');
    // The waiter got the lease once the run had ended: the stored result, nothing run again.
    expect(waited).toEqual(done);
    expect(other.executor.calls).toEqual([]);
  });

  it('refuses a second run() with a stored runId, atomically', async () => {
    const store = new InMemoryRunStore();
    const outcomes = await Promise.allSettled([
      runPlan({ task: TASK, ...roles(), planner: fakePlanner({ plans: [threeSteps] }), tools: TOOLS, settings: settings(), runId: 'same', store }),
      runPlan({ task: TASK, ...roles(), planner: fakePlanner({ plans: [threeSteps] }), tools: TOOLS, settings: settings(), runId: 'same', store }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(isPlanExecuteError(rejected?.status === 'rejected' ? rejected.reason : null, 'INVALID_OPTIONS')).toBe(true);
  });
});
