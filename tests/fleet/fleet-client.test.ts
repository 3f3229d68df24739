import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { FLEET_PLAN, fleetTask } from '../fixtures/fleet-world.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { emptyRecord } from '../helpers/run-records.ts';
import { expectCompleted, type Fleet, invalidOptionsMessage, jobsOf, openFleet, STEP_IDS, settledJobsOf, stepsDone } from './fleet-client-harness.ts';

let cluster: PostgresCluster | undefined;
let fleet: Fleet;
beforeAll(async () => {
  cluster = await startPostgres();
  fleet = await openFleet(cluster.connectionString);
}, 60_000);
afterAll(async () => {
  await fleet?.close();
  await cluster?.stop();
});

describe('FleetClient: submit, get, wait', () => {
  it('reports a run queued before any worker exists, then completed with its six step outputs once one runs it', async () => {
    const runId = await fleet.client.submitRun(fleetTask('first'), { runId: 'first' });
    expect(runId).toBe('first');
    expect(await fleet.client.getRun('first')).toEqual({
      runId: 'first',
      agent: 'default',
      task: fleetTask('first'),
      state: 'queued',
      steps: [],
      plan: null,
      result: null,
    });
    expect(await jobsOf(fleet.pool, 'first')).toEqual(['plan-execute-runs/default start created']);

    await fleet.startWorker(['default']);
    const result = await fleet.client.waitForRun('first', { timeoutMs: 15_000 });
    expectCompleted(result, 'first');
    expect(await fleet.client.getRun('first')).toEqual({
      runId: 'first',
      agent: 'default',
      task: fleetTask('first'),
      state: 'completed',
      steps: STEP_IDS.map((id) => ({ id, status: 'done' })),
      plan: FLEET_PLAN,
      result,
    });
    // Each step's tool ran once; the run job is done and nothing else was queued.
    expect(fleet.calls.filter((call) => call.label === 'first').map((call) => call.stepId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await settledJobsOf(fleet.pool, 'first')).toEqual(['plan-execute-runs/default start completed']);
  });

  it('reports a run running, with its steps where they stand, while a worker holds it', async () => {
    const held = fleet.hold('second', 'e');
    const runId = await fleet.client.submitRun(fleetTask('second'));
    expect(runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await held.reached;
    await stepsDone(fleet.client, runId, ['a', 'b', 'c', 'd']);
    const running = await fleet.client.getRun(runId);
    expect(running).toEqual({
      runId,
      agent: 'default',
      task: fleetTask('second'),
      state: 'running',
      steps: ['a', 'b', 'c', 'd']
        .map((id) => ({ id, status: 'done' }))
        .concat([
          { id: 'e', status: 'in_progress' },
          { id: 'f', status: 'pending' },
        ]),
      plan: FLEET_PLAN,
      result: null,
    });
    expect(await jobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start active']);
    held.release();
    expectCompleted(await fleet.client.waitForRun(runId, { timeoutMs: 15_000 }), 'second');
  });

  it('answers null for a run never submitted, and refuses to wait for, cancel or approve one', async () => {
    expect(await fleet.client.getRun('never-submitted')).toBeNull();
    const message = 'No run with id "never-submitted" was submitted';
    expect(await invalidOptionsMessage(fleet.client.waitForRun('never-submitted'))).toBe(message);
    expect(await invalidOptionsMessage(fleet.client.cancelRun('never-submitted'))).toBe(message);
    expect(await invalidOptionsMessage(fleet.client.approveRun('never-submitted'))).toBe(message);
  });

  it('gives up waiting after timeoutMs, naming the state, and the run goes on', async () => {
    await fleet.client.submitRun(fleetTask('unworked'), { runId: 'unworked', agent: 'nobody-works-this' });
    const startedAt = Date.now();
    expect(await invalidOptionsMessage(fleet.client.waitForRun('unworked', { timeoutMs: 300, pollMs: 50 }))).toBe(
      'Run "unworked" had not ended after 300 ms (state: queued)',
    );
    // It waited the whole timeoutMs before giving up (how much longer is the machine's, not asserted).
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    expect((await fleet.client.getRun('unworked'))?.state).toBe('queued');
  });

  it.each([
    [{ timeoutMs: -1 }, 'Expected `timeoutMs` to be a number from 0 and up, got -1'],
    [{ timeoutMs: Number.NaN }, 'Expected `timeoutMs` to be a number from 0 and up, got NaN'],
    [{ pollMs: 0 }, 'Expected `pollMs` to be a number from 1 to 60000, got 0'],
  ])('refuses wait options %j (a NaN deadline would never come, a 0 ms poll would hammer the database)', async (options, message) => {
    const waiting = invalidOptionsMessage(fleet.client.waitForRun('unworked', options));
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000).unref());
    expect(await Promise.race([waiting, deadline])).toBe(message);
  });

  it('takes the default poll interval (250 ms) for pollMs: undefined, instead of polling without a pause', async () => {
    const queries = vi.spyOn(Pool.prototype, 'query');
    try {
      await invalidOptionsMessage(fleet.client.waitForRun('unworked', { timeoutMs: 600, pollMs: undefined }));
      // Each look reads the submission: 3 or 4 looks in 600 ms at 250 ms (fewer on a busy machine), thousands without a pause.
      const looks = queries.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('FROM plan_execute_fleet_runs WHERE run_id'));
      expect(looks.length).toBeGreaterThanOrEqual(1);
      expect(looks.length).toBeLessThanOrEqual(5);
    } finally {
      queries.mockRestore();
    }
  });
});

describe('FleetClient.submitRun refusals', () => {
  it('refuses a second submit of one run id, queued or ended, leaving one job', async () => {
    await fleet.client.submitRun(fleetTask('twice'), { runId: 'twice', agent: 'nobody-works-this' });
    expect(await invalidOptionsMessage(fleet.client.submitRun('Another task', { runId: 'twice' }))).toBe('A run with id "twice" was already submitted');
    expect(await invalidOptionsMessage(fleet.client.submitRun(fleetTask('first'), { runId: 'first' }))).toBe('A run with id "first" was already submitted');
    expect(await jobsOf(fleet.pool, 'twice')).toEqual(['plan-execute-runs/nobody-works-this start created']);
    expect(await jobsOf(fleet.pool, 'first')).toEqual(['plan-execute-runs/default start completed']);
    expect((await fleet.client.getRun('twice'))?.task).toBe(fleetTask('twice'));
  });

  it('refuses a run id the run store already holds (a run made outside the fleet), submitting nothing', async () => {
    const store = new PostgresRunStore({ connectionString: cluster!.connectionString });
    await store.save(emptyRecord('made-elsewhere', 'running'));
    await store.close();
    expect(await invalidOptionsMessage(fleet.client.submitRun('Take it over', { runId: 'made-elsewhere' }))).toBe(
      'A run with id "made-elsewhere" was already submitted',
    );
    expect(await fleet.client.getRun('made-elsewhere')).toBeNull();
    expect(await jobsOf(fleet.pool, 'made-elsewhere')).toEqual([]);
  });

  it.each([
    ['', {}, 'Expected `task` to be a non-empty string, got ""'],
    ['   ', {}, 'Expected `task` to be a non-empty string, got "   "'],
    ['A task', { runId: ' ' }, 'Expected `runId` to be a non-empty string, got " "'],
    ['A task', { agent: 'Release_Bot' }, 'Expected an agent name of lower-case letters, digits and hyphens (at most 40), got "Release_Bot"'],
    ['A task', { stepMode: 'step' }, "Expected `stepMode` to be 'run' or 'steps', got \"step\""],
  ])('refuses submitRun(%j, %j)', async (task, options, message) => {
    expect(await invalidOptionsMessage(fleet.client.submitRun(task, options as never))).toBe(message);
  });
});
