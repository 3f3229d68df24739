import type { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/engine/plan-schema.ts';
import { resolveFleetSettings, runQueue } from '../../src/fleet/fleet-settings.ts';
import { cancelJobId, continueJobId } from '../../src/fleet/job-ids.ts';
import { openBoss } from '../../src/fleet/open-boss.ts';
import type { RunJobData } from '../../src/fleet/run-jobs.ts';
import { FLEET_PLAN, fleetTask } from '../fixtures/fleet-world.ts';
import { step } from '../helpers/plans.ts';
import {
  type Fleet,
  invalidOptionsMessage,
  jobsOf,
  LOG_PREFIX,
  leaseOwnerOf,
  useFleetPerFile,
  recorded,
  STEP_IDS,
  settledJobsOf,
  until,
} from './fleet-client-harness.ts';

let fleet: Fleet;
let connectionString: string;
useFleetPerFile((opened, url) => {
  fleet = opened;
  connectionString = url;
});

/** Submits `label` for approval to `agent` and waits until its plan waits for the verdict and its worker let it go. */
async function submitForApproval(label: string, agent = 'default'): Promise<string> {
  const runId = await fleet.client.submitRun(fleetTask(label), { runId: label, agent, approval: true });
  await until(`${label} to wait for approval`, async () => ((await fleet.client.getRun(runId))?.state === 'awaiting-approval' ? true : undefined));
  // The plan is stored before the worker releases the run and its job completes.
  expect(await settledJobsOf(fleet.pool, runId)).toEqual([`plan-execute-runs/${agent} start completed`]);
  return runId;
}

const callsOf = (label: string) => fleet.calls.filter((call) => call.label === label).map((call) => call.stepId);

describe('approval across processes', () => {
  it('plans, then waits holding no worker: no job active, the lease free, the steps pending', async () => {
    const runId = await submitForApproval('waits');
    expect(await fleet.client.getRun(runId)).toEqual({
      runId,
      agent: 'default',
      task: fleetTask('waits'),
      state: 'awaiting-approval',
      steps: STEP_IDS.map((id) => ({ id, status: 'pending' })),
      // What the approver approves, or edits.
      plan: FLEET_PLAN,
      result: null,
    });
    expect(await leaseOwnerOf(fleet.pool, runId)).toBeNull();
    expect(await jobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start completed']);
    expect((await fleet.pool.query("SELECT count(*)::int AS active FROM plan_execute_queue.job WHERE state = 'active'")).rows).toEqual([{ active: 0 }]);
    expect(callsOf('waits')).toEqual([]);
    expect(fleet.lines.filter((line) => line.includes(' waits '))).toEqual([
      expect.stringMatching(new RegExp(`${LOG_PREFIX} default run waits start → awaiting-approval in \\d+ ms$`)),
    ]);

    await fleet.client.approveRun(runId, true);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('completed');
    expect(result.plan.map((tracked) => tracked.output)).toEqual(STEP_IDS.map((id) => recorded('waits', id)));
    expect(result.revisions).toEqual([]);
    expect(callsOf('waits').sort()).toEqual(STEP_IDS);
    expect(await settledJobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/default start completed', 'plan-execute-runs/default verdict completed']);
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId))).toBe('Run "waits" does not wait for approval (state: completed)');
  });

  it('runs the edited plan when the verdict is a plan, recorded as an edit revision', async () => {
    const runId = await submitForApproval('edited');
    const edited: Plan = {
      goal: 'Record two steps',
      rationale: null,
      steps: [step('a', [], { toolHint: 'record' }), step('b', ['a'], { toolHint: 'record' })],
    };
    await fleet.client.approveRun(runId, edited);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('completed');
    expect(result.plan.map((tracked) => [tracked.id, tracked.status, tracked.output])).toEqual([
      ['a', 'done', recorded('edited', 'a')],
      ['b', 'done', recorded('edited', 'b')],
    ]);
    expect(result.revisions).toEqual([
      { revision: 1, kind: 'edit', reason: 'Plan edited at approval', failedStepId: null, stepsBefore: FLEET_PLAN.steps, stepsAfter: edited.steps },
    ]);
    expect(result.replanned).toBe(false);
    expect(callsOf('edited')).toEqual(['a', 'b']);
  });

  it('ends the run failed (PLAN_INVALID) when the edited plan does not validate, running no step', async () => {
    const runId = await submitForApproval('invalid-edit');
    const broken: Plan = { goal: 'Depend on nothing there', rationale: null, steps: [step('a', ['missing'], { toolHint: 'record' })] };
    await fleet.client.approveRun(runId, broken);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PLAN_INVALID');
    expect(result.error?.issues?.length).toBeGreaterThan(0);
    expect(result.plan.map((tracked) => tracked.status)).toEqual(STEP_IDS.map(() => 'pending'));
    expect(callsOf('invalid-edit')).toEqual([]);
  });

  it('ends the run rejected (PLAN_REJECTED) when the verdict is false, running no step', async () => {
    const runId = await submitForApproval('refused');
    await fleet.client.approveRun(runId, false);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('rejected');
    expect(result.error?.code).toBe('PLAN_REJECTED');
    expect(result.plan.map((tracked) => tracked.status)).toEqual(STEP_IDS.map(() => 'pending'));
    expect(result.finalOutput).toBe('');
    expect(callsOf('refused')).toEqual([]);
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId, true))).toBe('Run "refused" does not wait for approval (state: rejected)');
  });

  it('refuses a second verdict while the first waits for a worker; the first one stands', async () => {
    const worker = await fleet.startWorker(['gated-verdicts']);
    const runId = await submitForApproval('second-verdict', 'gated-verdicts');
    await fleet.stopWorker(worker);
    await fleet.client.approveRun(runId, true);
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId, false))).toBe('Run "second-verdict" already has a verdict');
    expect(await jobsOf(fleet.pool, runId)).toEqual(['plan-execute-runs/gated-verdicts start completed', 'plan-execute-runs/gated-verdicts verdict created']);

    await fleet.startWorker(['gated-verdicts']);
    expect((await fleet.client.waitForRun(runId, { timeoutMs: 15_000 })).status).toBe('completed');
  });

  it('refuses a verdict on a queued, a running and an ended run, naming its state', async () => {
    await fleet.client.submitRun(fleetTask('unworked'), { runId: 'unworked', agent: 'nobody-works-this', approval: true });
    expect(await invalidOptionsMessage(fleet.client.approveRun('unworked'))).toBe('Run "unworked" does not wait for approval (state: queued)');

    const held = fleet.hold('busy', 'a');
    const runId = await fleet.client.submitRun(fleetTask('busy'), { runId: 'busy' });
    await held.reached;
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId, true))).toBe('Run "busy" does not wait for approval (state: running)');
    held.release();
    expect((await fleet.client.waitForRun(runId, { timeoutMs: 15_000 })).status).toBe('completed');
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId, true))).toBe('Run "busy" does not wait for approval (state: completed)');
    // None of the refusals queued a verdict.
    expect(await jobsOf(fleet.pool, 'unworked')).toEqual(['plan-execute-runs/nobody-works-this start created']);
    expect(await settledJobsOf(fleet.pool, 'busy')).toEqual(['plan-execute-runs/default start completed']);
  });
});

describe('approval and cancellation', () => {
  it('refuses a verdict on a waiting run once it was cancelled: the run ends cancelled, not run', async () => {
    const worker = await fleet.startWorker(['gated-cancel']);
    const runId = await submitForApproval('cancel-then-approve', 'gated-cancel');
    await fleet.stopWorker(worker);
    expect(await fleet.client.cancelRun(runId)).toBe(true);
    expect(await invalidOptionsMessage(fleet.client.approveRun(runId, true))).toBe('Run "cancel-then-approve" was cancelled');

    await fleet.startWorker(['gated-cancel']);
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('cancelled');
    expect(callsOf('cancel-then-approve')).toEqual([]);
  });

  it('ends the run cancelled when a verdict raced with the cancel and is taken first', async () => {
    const worker = await fleet.startWorker(['gated-race']);
    const runId = await submitForApproval('raced', 'gated-race');
    await fleet.stopWorker(worker);
    // The interleaving of approveRun's check, a whole cancelRun, then approveRun's send: both jobs queued, the verdict first.
    const boss: PgBoss = await openBoss(resolveFleetSettings({ connectionString: connectionString }), { supervise: false });
    try {
      const verdict: RunJobData = { kind: 'verdict', runId, task: fleetTask('raced'), verdict: true, stepMode: 'run' };
      expect(await boss.send(runQueue('gated-race'), verdict, { id: continueJobId(runId) })).toBe(continueJobId(runId));
      const cancel: RunJobData = { kind: 'cancel', runId, task: fleetTask('raced') };
      expect(await boss.send(runQueue('gated-race'), cancel, { id: cancelJobId(runId) })).toBe(cancelJobId(runId));
    } finally {
      await boss.stop({ graceful: false, close: true });
    }

    await fleet.startWorker(['gated-race'], { concurrency: 1 });
    const result = await fleet.client.waitForRun(runId, { timeoutMs: 15_000 });
    expect(result.status).toBe('cancelled');
    expect(callsOf('raced')).toEqual([]);
  });
});
