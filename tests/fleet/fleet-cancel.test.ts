import { describe, expect, it } from 'vitest';
import { stepJobId } from '../../src/fleet/job-ids.ts';
import { fleetTask } from '../fixtures/fleet-world.ts';
import { type Fleet, jobsOf, LOG_PREFIX, leaseOwnerOf, STEP_IDS, settledJobsOf, stepsDone, until, useFleetPerFile } from './fleet-client-harness.ts';

let fleet: Fleet;
useFleetPerFile((opened) => (fleet = opened));

/**
 * How long the tests wait for a cancellation to land: it is noticed at its worker's next heartbeat
 * (every second), then the run ends. A bound on the wait, so a lost cancellation fails the test; not a speed check.
 */
const CANCEL_BOUND_MS = 15_000;

const callsOf = (label: string) => fleet.calls.filter((call) => call.label === label).map((call) => call.stepId);
const logLines = (label: string) => fleet.lines.filter((line) => line.includes(` ${label} `));

/** The state of `runId`'s step job for `stepId`'s first attempt (null: there is none). */
async function stepJobState(runId: string, stepId: string): Promise<string | null> {
  const { rows } = await fleet.pool.query<{ state: string }>('SELECT state::text AS state FROM plan_execute_queue.job WHERE id = $1', [
    stepJobId(runId, stepId, 1),
  ]);
  return rows[0]?.state ?? null;
}

describe('cancelRun', () => {
  it('ends a run waiting for approval as cancelled, running no step', async () => {
    const runId = await fleet.client.submitRun(fleetTask('waiting'), { runId: 'waiting', approval: true });
    await until('the plan to wait for approval', async () => ((await fleet.client.getRun(runId))?.state === 'awaiting-approval' ? true : undefined));
    expect(await settledJobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start completed']);
    expect(await fleet.client.cancelRun(runId)).toBe(true);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 10_000 });
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('RUN_CANCELLED');
    expect(result.plan.map((step) => step.status)).toEqual(STEP_IDS.map(() => 'pending'));
    expect(callsOf('waiting')).toEqual([]);
    expect(await leaseOwnerOf(fleet.pool, runId)).toBeNull();
    expect(await settledJobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start completed', 'plan-execute-runs/default cancel completed']);
    expect(logLines('waiting')).toEqual([
      expect.stringMatching(new RegExp(`${LOG_PREFIX} default run waiting start → awaiting-approval in \\d+ ms$`)),
      expect.stringMatching(new RegExp(`${LOG_PREFIX} default run waiting cancel → cancelled in \\d+ ms$`)),
    ]);
  });

  it('cancels a queued run: it stays queued while no worker of its agent exists, and ends cancelled, unplanned, once one does', async () => {
    await fleet.client.submitRun(fleetTask('queued'), { runId: 'queued', agent: 'late-agent' });
    expect(await fleet.client.cancelRun('queued')).toBe(true);
    // A second cancel before any worker came is accepted and queues nothing more.
    expect(await fleet.client.cancelRun('queued')).toBe(true);
    expect((await fleet.client.getRun('queued'))?.state).toBe('queued');
    expect(await jobsOf(fleet.pool, 'queued')).toEqual(['plan-execute-runs/late-agent start cancelled', 'plan-execute-runs/late-agent cancel created']);

    await fleet.startWorker(['late-agent']);
    const result = await fleet.client.waitForRun('queued', { timeoutMs: 10_000 });
    expect(result.status).toBe('cancelled');
    expect(result.initialPlan).toBeNull();
    expect(result.plan).toEqual([]);
    expect(result.usage.totalTokens).toBe(0);
    expect(callsOf('queued')).toEqual([]);
    expect(await settledJobsOf(fleet.pool, 'queued')).toEqual([
      'plan-execute-runs/late-agent start cancelled',
      'plan-execute-runs/late-agent cancel completed',
    ]);
  });

  it('cancels a running run within a bounded time, aborting the tool call in flight (run mode)', async () => {
    const held = fleet.hold('running', 'b');
    const runId = await fleet.client.submitRun(fleetTask('running'), { runId: 'running' });
    const signal = await held.reached;
    await stepsDone(fleet.client, runId, ['a', 'c', 'd']);
    expect(signal?.aborted).toBe(false);
    expect(await fleet.client.cancelRun(runId)).toBe(true);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: CANCEL_BOUND_MS, pollMs: 50 });
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('RUN_CANCELLED');
    expect(held.aborted()).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(result.plan.filter((step) => step.status === 'done').map((step) => step.id)).toEqual(['a', 'c', 'd']);
    expect(result.plan.find((step) => step.id === 'e')?.status).toBe('pending');
    expect(callsOf('running').sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await leaseOwnerOf(fleet.pool, runId)).toBeNull();
    // The cancel job finds the run ended by its own worker.
    expect(await settledJobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start cancelled', 'plan-execute-runs/default cancel completed']);
    // Two jobs, either may log first: the start job logs after one more query once the run's result is stored.
    expect(logLines('running')).toHaveLength(2);
    expect(logLines('running')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`${LOG_PREFIX} default run running start → cancelled in \\d+ ms$`)),
        expect.stringMatching(new RegExp(`${LOG_PREFIX} default run running cancel → already-ended in \\d+ ms$`)),
      ]),
    );
  });

  it('cancels a running run in step mode: its step job is cancelled and the tool call of the worker running it sees the signal abort', async () => {
    const held = fleet.hold('stepwise', 'e');
    const runId = await fleet.client.submitRun(fleetTask('stepwise'), { runId: 'stepwise', stepMode: 'steps' });
    const signal = await held.reached;
    // d runs beside b and c, not before e: it may still run when e's call starts.
    await stepsDone(fleet.client, runId, ['a', 'b', 'c', 'd']);
    expect(await stepJobState(runId, 'e')).toBe('active');
    expect(await fleet.client.cancelRun(runId)).toBe(true);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: CANCEL_BOUND_MS, pollMs: 50 });
    expect(result.status).toBe('cancelled');
    expect(result.plan.map((step) => step.status)).toEqual(['done', 'done', 'done', 'done', 'pending', 'pending']);
    await until('the tool call to see its signal abort', async () => (held.aborted() ? true : undefined), CANCEL_BOUND_MS);
    expect(signal?.aborted).toBe(true);
    expect(await stepJobState(runId, 'e')).toBe('cancelled');
    expect(await stepJobState(runId, 'f')).toBeNull();
    expect(callsOf('stepwise').sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('answers false for a run that has ended, and leaves it as it was', async () => {
    const runId = await fleet.client.submitRun(fleetTask('ended'), { runId: 'ended' });
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 10_000 });
    expect(result.status).toBe('completed');
    expect(await fleet.client.cancelRun(runId)).toBe(false);
    expect((await fleet.client.getRun(runId))?.result).toEqual(result);
    expect(await settledJobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start completed']);
  });
});
