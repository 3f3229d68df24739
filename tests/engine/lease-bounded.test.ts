import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { createLeased } from '../../src/engine/run-lease.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { type Fence, InMemoryRunStore, type LeaseRequest, type RunLease, type RunRecord, type RunStore, type StoredRun } from '../../src/engine/run-store.ts';
import { sleep } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const never = new Promise<never>(() => undefined);
const oneStep = plan([step('a')]);

/** An in-memory store whose chosen calls never settle once `hanging` is set (a database that stopped answering); counts every call. */
class HangingStore extends InMemoryRunStore {
  readonly calls = { create: 0, write: 0, renew: 0, release: 0 };

  constructor(public hanging: ReadonlySet<'create' | 'write' | 'renew'>) {
    super();
  }

  override create(record: RunRecord, request: LeaseRequest): Promise<StoredRun | null> {
    this.calls.create++;
    return this.hanging.has('create') ? never : super.create(record, request);
  }

  override write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    this.calls.write++;
    return this.hanging.has('write') ? never : super.write(record, fence, ttlMs);
  }

  override renew(runId: string, fence: Fence, ttlMs: number): Promise<RunLease> {
    this.calls.renew++;
    return this.hanging.has('renew') ? never : super.renew(runId, fence, ttlMs);
  }

  override release(runId: string, fence: Fence): Promise<void> {
    this.calls.release++;
    return super.release(runId, fence);
  }
}

afterEach(() => vi.restoreAllMocks());

describe('run-store calls that never answer', () => {
  it('fails a checkpoint whose write gives no answer within leaseMs like a failing one: 4 tries, then STORE_FAILED', async () => {
    const store = new HangingStore(new Set(['write']));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const run = harness({ plans: [oneStep], settings: { leaseMs: 100 } });

    const result = await runPlan({ ...run.input, store });

    expect([result.status, result.error]).toEqual([
      'failed',
      { code: 'STORE_FAILED', message: `Could not checkpoint run "run-1" after 4 attempts: The run store's write gave no answer within 100 ms (leaseMs)` },
    ]);
    expect(run.types()).toEqual(['run-started', 'plan-created', 'run-finished']);
    // The plan's checkpoint, then the final record's: 4 tries each. The lease release is still asked for.
    expect([store.calls.write, store.calls.release]).toEqual([8, 1]);
    expect(logged).toHaveBeenCalledWith('[mastra-plan-execute] could not store the result:', expect.objectContaining({ code: 'STORE_FAILED' }));
  });

  it('stops retrying once the run is cancelled: the run ends cancelled after one more try, for the final record', async () => {
    const store = new HangingStore(new Set(['write']));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const controller = new AbortController();
    const run = harness({ plans: [oneStep], settings: { leaseMs: 150 }, abortSignal: controller.signal });
    const running = runPlan({ ...run.input, store });
    await vi.waitUntil(() => store.calls.write === 1, { timeout: 5_000 });
    controller.abort(new Error('stop'));

    const result = await running;

    expect([result.status, result.error?.code]).toEqual(['cancelled', 'RUN_CANCELLED']);
    expect(run.types()).toEqual(['run-started', 'plan-created', 'run-finished']);
    expect(store.calls.write).toBe(2);
  });

  it('rejects with STORE_FAILED when a store without leases gives no answer to a save within leaseMs', async () => {
    const store: RunStore = { save: () => never, load: async () => null };
    const run = harness({ plans: [oneStep], settings: { leaseMs: 150 } });

    const error = await runPlan({ ...run.input, runId: undefined, store }).catch((caught: unknown) => caught);

    expect(isPlanExecuteError(error, 'STORE_FAILED')).toBe(true);
    expect(error).toMatchObject({ attempts: 1, message: expect.stringContaining(`The run store's save gave no answer within 150 ms (leaseMs)`) });
    expect(run.types()).toEqual([]);
  });

  it('gives up on a create with no answer after 4 tries, or after 1 once the signal passed in has fired', async () => {
    const settings = { leaseMs: 100, leaseWaitMs: 0 };
    const store = new HangingStore(new Set(['create']));
    const patient = await createLeased(store, emptyRecord('c1', 'running'), settings).catch((caught: unknown) => caught);
    const cancelled = await createLeased(store, emptyRecord('c2', 'running'), settings, AbortSignal.abort()).catch((caught: unknown) => caught);

    expect(patient).toMatchObject({
      code: 'STORE_FAILED',
      attempts: 4,
      message: expect.stringContaining("The run store's create gave no answer within 100 ms"),
    });
    expect(cancelled).toMatchObject({ code: 'STORE_FAILED', attempts: 1 });
    expect(store.calls.create).toBe(5);
  });
});

describe('lease renewal', () => {
  it('sends at most two renewals to a store that never answers them, however many ticks pass', async () => {
    const store = new HangingStore(new Set(['renew']));
    // Renewed every 50 ms: once two renewals hang, seven more ticks in the 350 ms below send none.
    const keeper = await createLeased(store, emptyRecord('r1', 'running'), { leaseMs: 150, leaseWaitMs: 0 });
    await vi.waitUntil(() => store.calls.renew >= 2, { timeout: 5_000 });
    await sleep(350);
    await keeper?.release();

    expect(store.calls.renew).toBe(2);
  });

  it('keeps the lease when one renewal hangs (a stuck connection): the next tick renews, and no one else can take the run', async () => {
    const store = new HangingStore(new Set(['renew']));
    const keeper = await createLeased(store, emptyRecord('r3', 'running'), { leaseMs: 150, leaseWaitMs: 0 });
    await vi.waitUntil(() => store.calls.renew === 1, { timeout: 5_000 });
    store.hanging = new Set();
    await vi.waitUntil(() => store.calls.renew >= 4, { timeout: 5_000 });

    expect(keeper?.lost).toBeNull();
    await expect(store.acquire('r3', { owner: 'other-worker', ttlMs: 150 })).rejects.toMatchObject({ code: 'RUN_LOCKED' });
    await keeper?.release();
  });

  it('renews again at the next tick once a renewal has answered', async () => {
    const store = new HangingStore(new Set());
    const keeper = await createLeased(store, emptyRecord('r2', 'running'), { leaseMs: 150, leaseWaitMs: 0 });
    await vi.waitUntil(() => store.calls.renew >= 3, { timeout: 5_000 });
    await keeper?.release();

    expect((await store.load('r2'))?.status).toBe('running');
  });
});

/** An in-memory store that answers writes one at a time, as row locks make a database do, the first one after `firstWriteMs`. */
class SerialStore extends InMemoryRunStore {
  writes = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly firstWriteMs: number) {
    super();
  }

  override write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    const slow = this.writes++ === 0;
    const written = this.#queue.then(async () => {
      if (slow) await sleep(this.firstWriteMs);
      return super.write(record, fence, ttlMs);
    });
    this.#queue = written.catch(() => undefined);
    return written;
  }
}

describe('a write given up on that lands later', () => {
  it("does not make the run's own next write look like another owner's: the final record is stored", async () => {
    const store = new SerialStore(200);
    const keeper = (await createLeased(store, emptyRecord('r4', 'running'), { leaseMs: 150, leaseWaitMs: 0 }))!;
    const cancelled = AbortSignal.abort();

    // No answer within leaseMs, and the run is cancelled: given up on at once, while it still lands at 200 ms.
    await expect(keeper.write(emptyRecord('r4', 'running'), cancelled)).rejects.toMatchObject({ code: 'STORE_FAILED', attempts: 1 });
    await keeper.write(emptyRecord('r4', 'cancelled'), cancelled);

    expect([keeper.lost, (await store.load('r4'))?.status, store.writes]).toEqual([null, 'cancelled', 3]);
  });
});
