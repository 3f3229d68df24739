import { describe, expect, it } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore, type LeaseRequest, type RunRecord, type StoredRun } from '../../src/engine/run-store.ts';
import { resolveSettings } from '../../src/engine/settings.ts';
import { PLAIN_TASK, plainRoles } from '../fixtures/plain-roles.ts';
import { emptyRecord } from '../helpers/run-records.ts';

/** A store whose `create` and `acquire` fail the first `failures` times: before the statement, or after it landed (answer lost). */
class FlakyStore extends InMemoryRunStore {
  constructor(
    /** Failures left. */
    public failures: number,
    private readonly landsBeforeFailing = false,
  ) {
    super();
  }

  override async create(record: RunRecord, request: LeaseRequest): Promise<StoredRun | null> {
    if (this.failures === 0) return super.create(record, request);
    this.failures--;
    if (this.landsBeforeFailing) await super.create(record, request);
    throw new Error('connection reset');
  }

  override async acquire(runId: string, request: LeaseRequest): Promise<StoredRun | null> {
    if (this.failures === 0) return super.acquire(runId, request);
    this.failures--;
    throw new Error('connection reset');
  }
}

function input(store: InMemoryRunStore, calls: string[] = []) {
  const { settings, ...roles } = plainRoles({ log: (call) => calls.push(call) });
  return { ...roles, tools: [], store, runId: 'flaky', settings: resolveSettings(settings) };
}

describe('lease requests to a failing store', () => {
  it('retries a failed create and runs once it lands', async () => {
    const store = new FlakyStore(2);
    const result = await runPlan({ ...input(store), task: PLAIN_TASK });
    expect(result.status).toBe('completed');
    expect((await store.load('flaky'))?.result).toEqual(result);
  });

  it('takes back its own create whose answer was lost instead of calling the id taken', async () => {
    const store = new FlakyStore(1, true);
    const calls: string[] = [];
    const result = await runPlan({ ...input(store, calls), task: PLAIN_TASK });
    expect(result.status).toBe('completed');
    expect(calls.filter((call) => call === 'planner')).toHaveLength(1);
  });

  it('rejects with STORE_FAILED after 4 tries, not with the store’s raw error (startRun is outside the run’s try)', async () => {
    const error = await runPlan({ ...input(new FlakyStore(4)), task: PLAIN_TASK }).catch((caught: unknown) => caught);
    expect(isPlanExecuteError(error, 'STORE_FAILED')).toBe(true);
    expect(error).toMatchObject({ runId: 'flaky', attempts: 4, message: expect.stringContaining('connection reset') });
  });

  it('retries a failed acquire on resume', async () => {
    const store = new FlakyStore(0);
    // Stored with no plan, as a crash during planning leaves a run.
    await store.save(emptyRecord('flaky', 'running', PLAIN_TASK));
    store.failures = 3;
    const result = await resumePlan(input(store));
    expect(result.status).toBe('completed');
    expect((await store.load('flaky'))?.result).toEqual(result);
  });
});
