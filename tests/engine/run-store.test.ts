import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import type { ResumeInput } from '../../src/engine/run-input.ts';
import { InMemoryRunStore, type Fence, type LeaseRequest, type RunRecord, type RunStore, type StoredRun } from '../../src/engine/run-store.ts';
import { EXECUTOR_USAGE, PLANNER_USAGE, SYNTHESIZER_USAGE, fakeExecutor, fakePlanner, fakeSynthesizer, settings, sleep } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { TASK, TOOLS } from '../helpers/run-harness.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const threeSteps = plan([step('a'), step('b', ['a']), step('c', ['b'])]);

/** A store that keeps every record created or written (fenced), in order. */
class RecordingStore extends InMemoryRunStore {
  readonly writes: RunRecord[] = [];

  override async create(record: RunRecord, request: LeaseRequest): Promise<StoredRun | null> {
    this.writes.push(structuredClone(record));
    return super.create(record, request);
  }

  override async write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    this.writes.push(structuredClone(record));
    return super.write(record, fence, ttlMs);
  }
}

function roles(script: Parameters<typeof fakeExecutor>[0] = {}) {
  return { planner: fakePlanner({ plans: [threeSteps] }), executor: fakeExecutor(script), synthesizer: fakeSynthesizer() };
}

describe('runPlan with a store', () => {
  it('checkpoints after the plan, at every attempt start, after every finished step and with the result', async () => {
    const store = new RecordingStore();
    const result = await runPlan({ task: TASK, ...roles(), tools: TOOLS, settings: settings(), runId: 'r1', store });
    expect(result.status).toBe('completed');
    expect(store.writes.map((record) => [record.status, record.snapshot?.steps.map((s) => s.status).join(',')])).toEqual([
      // Stored before the planner is called, so a crash during planning leaves a run to resume.
      ['running', undefined],
      ['running', 'pending,pending,pending'],
      // Each attempt is stored before the executor runs, so a crash cannot take it back.
      ['running', 'in_progress,pending,pending'],
      ['running', 'done,pending,pending'],
      ['running', 'done,in_progress,pending'],
      ['running', 'done,done,pending'],
      ['running', 'done,done,in_progress'],
      ['running', 'done,done,done'],
      ['completed', 'done,done,done'],
    ]);
    expect((await store.load('r1'))?.result).toEqual(result);
  });

  it('never stores an older state over a newer one when parallel steps finish', async () => {
    let first = true;
    const order: string[] = [];
    const slowFirstWrite: RunStore = {
      async save(record) {
        const label =
          record.snapshot?.steps
            .filter((s) => s.status === 'done')
            .map((s) => s.id)
            .join('+') ?? 'none';
        if (first && label === 'x') {
          first = false;
          await sleep(40);
        }
        order.push(label);
      },
      load: async () => null,
    };
    const parallel = plan([step('x'), step('y')]);
    await runPlan({
      task: TASK,
      planner: fakePlanner({ plans: [parallel] }),
      executor: fakeExecutor({ script: { x: [{ ok: 'x out' }], y: [{ ok: 'y out', delayMs: 5 }] } }),
      synthesizer: fakeSynthesizer(),
      tools: TOOLS,
      settings: settings(),
      store: slowFirstWrite,
    });
    // none: the start; then the plan, x's and y's attempt starts, x, x+y, and the result.
    expect(order).toEqual(['none', '', '', '', 'x', 'x+y', 'x+y']);
  });
});

describe('resumePlan', () => {
  it('finishes a run interrupted mid-step without re-running or re-billing done steps', async () => {
    const store = new InMemoryRunStore();
    const crashed = new InMemoryRunStore();
    const controller = new AbortController();
    // Copy the store at the moment b starts, as a process killed right then would leave it.
    const first = roles({ script: { b: [{ hang: 'until-aborted' }] } });
    await runPlan({
      task: TASK,
      ...first,
      tools: TOOLS,
      settings: settings(),
      runId: 'r2',
      store,
      abortSignal: controller.signal,
      onEvent: async (event) => {
        if (event.type === 'step-started' && event.stepId === 'b') {
          await crashed.save((await store.load('r2'))!);
          controller.abort();
        }
      },
    });
    const second = { planner: fakePlanner(), executor: fakeExecutor(), synthesizer: fakeSynthesizer() };
    const events: string[] = [];
    const result = await resumePlan({
      ...second,
      tools: TOOLS,
      settings: settings(),
      runId: 'r2',
      store: crashed,
      // A listener may return anything (here push's count): it is ignored.
      onEvent: (event) => events.push(event.type),
    });
    expect(result.status).toBe('completed');
    expect(result.task).toBe(TASK);
    expect(first.executor.calls.map((call) => call.stepId)).toEqual(['a', 'b']);
    expect(second.executor.calls.map((call) => call.stepId)).toEqual(['b', 'c']);
    expect(second.planner.planRequests).toEqual([]);
    expect(events).toEqual(['run-resumed', 'step-started', 'step-finished', 'step-started', 'step-finished', 'synthesis-finished', 'run-finished']);
    expect(result.plan.map(({ id, status, output, attempts, crashes }) => [id, status, output, attempts, crashes ?? 0])).toEqual([
      ['a', 'done', 'a out', 1, 0],
      // b's first attempt was stored when it started, so the crash that cut it off is counted.
      ['b', 'done', 'b out', 2, 1],
      ['c', 'done', 'c out', 1, 0],
    ]);
    // The planner once, a once before the crash; b and c and synthesis after it. b's interrupted attempt cost nothing.
    expect(result.usage.byRole).toEqual({
      planner: PLANNER_USAGE,
      executor: { inputTokens: 3 * EXECUTOR_USAGE.inputTokens, outputTokens: 3 * EXECUTOR_USAGE.outputTokens, totalTokens: 3 * EXECUTOR_USAGE.totalTokens },
      synthesizer: SYNTHESIZER_USAGE,
    });
    expect(result.steps.map(({ stepId, status }) => [stepId, status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
      ['c', 'done'],
    ]);
  });

  it('returns the stored result of a run that had ended, calling no role', async () => {
    const store = new InMemoryRunStore();
    const done = await runPlan({ task: TASK, ...roles(), tools: TOOLS, settings: settings(), runId: 'r3', store });
    const again = roles();
    expect(await resumePlan({ ...again, tools: TOOLS, settings: settings(), runId: 'r3', store })).toEqual(done);
    expect([again.planner.planRequests.length, again.executor.calls.length, again.synthesizer.requests.length]).toEqual([0, 0, 0]);
  });

  it('plans from scratch when the run stopped before a plan was stored', async () => {
    const store = new InMemoryRunStore();
    await store.save(emptyRecord('r4', 'running', TASK));
    const again = roles();
    const result = await resumePlan({ ...again, tools: TOOLS, settings: settings(), runId: 'r4', store });
    expect(result.status).toBe('completed');
    expect(again.planner.planRequests).toHaveLength(1);
  });

  it.each([
    [{ store: undefined, runId: 'r5' }, 'Expected `store` and `runId` to resume a run'],
    [{ store: new InMemoryRunStore(), runId: undefined }, 'Expected `store` and `runId` to resume a run'],
    [{ store: new InMemoryRunStore(), runId: 'missing' }, 'No stored run with id "missing"'],
  ])('rejects %# with InvalidOptionsError', async (options, message) => {
    const attempt = resumePlan({ ...roles(), tools: TOOLS, settings: settings(), ...options } as ResumeInput);
    await expect(attempt).rejects.toThrow(InvalidOptionsError);
    await expect(attempt).rejects.toThrow(message);
  });
});
