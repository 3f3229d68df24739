import { describe, expect, it } from 'vitest';
import { startWorker } from '../../src/fleet/worker.ts';
import { createFleetAgent, fleetTask } from '../fixtures/fleet-world.ts';
import { expectCompleted, type Fleet, jobsOf, LOG_PREFIX, useFleetPerFile, STEP_IDS, settledJobsOf, until } from './fleet-client-harness.ts';

let fleet: Fleet;
let connectionString: string;
useFleetPerFile((opened, url) => {
  fleet = opened;
  connectionString = url;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The PostgreSQL application name of the connections of the worker whose agent fails to start. */
const FAILING_WORKER_APP = 'fleet-failing-worker';

describe('startWorker: agents', () => {
  it('leaves a run of an agent no worker registered queued, and runs it once a worker with that agent starts', async () => {
    await fleet.client.submitRun(fleetTask('late'), { runId: 'late', agent: 'late-agent' });
    // The default worker polls twice a second: three polls later it still has not taken the run.
    await sleep(1_500);
    expect((await fleet.client.getRun('late'))?.state).toBe('queued');
    expect(await jobsOf(fleet.pool, 'late')).toEqual(['plan-execute-runs/late-agent start created']);

    await fleet.startWorker(['late-agent']);
    expectCompleted(await fleet.client.waitForRun('late', { timeoutMs: 15_000 }), 'late');
    expect((await fleet.client.getRun('late'))?.agent).toBe('late-agent');
    expect(await settledJobsOf(fleet.pool, 'late')).toEqual(['plan-execute-runs/late-agent start completed']);
  });

  it('leaves no worker behind when an agent fails to start: the agents registered before it take no job', async () => {
    // The failing worker's connections (its pg-boss's and its run store's) carry their own name: the URL's
    // application_name wins over pg-boss's `pgboss`. Only they are counted, not the other pools' of this file.
    const url = new URL(connectionString);
    url.searchParams.set('application_name', FAILING_WORKER_APP);
    const connections = async () =>
      (await fleet.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1', [FAILING_WORKER_APP]))
        .rows[0]!.count;
    let openWhenFailing = 0;
    // Fails once the agent before it works its queues: the wait for them to close below sees real connections.
    const broken = {
      runRoles: async () => {
        openWhenFailing = await connections();
        throw new Error('The broken agent has no model');
      },
    };
    const good = createFleetAgent({ delayMs: 0, onRecord: async () => 'recorded' });
    const starting = startWorker({ connectionString: url.toString(), agents: { 'zombie-check': good, broken } });
    await expect(starting).rejects.toThrow('The broken agent has no model');
    expect(openWhenFailing).toBeGreaterThan(0);

    await fleet.client.submitRun(fleetTask('orphan'), { runId: 'orphan', agent: 'zombie-check' });
    await sleep(1_500);
    expect(await jobsOf(fleet.pool, 'orphan')).toEqual(['plan-execute-runs/zombie-check start created']);
    expect(await until('the failed worker to close its connections', async () => ((await connections()) === 0 ? true : undefined), 5_000)).toBe(true);
  });
});

describe('startWorker: connections', () => {
  it('keeps every job heartbeating while all its step slots run steps: the step transactions do not take every connection', async () => {
    const labels = ['pool-1', 'pool-2', 'pool-3', 'pool-4'];
    let reached = 0;
    const holds = labels.flatMap((label) => ['b', 'c', 'd'].map((stepId) => fleet.hold(label, stepId)));
    for (const held of holds) void held.reached.then(() => reached++);
    await fleet.startWorker(['pool-check'], { concurrency: 4, stepConcurrency: 10 });
    for (const label of labels) await fleet.client.submitRun(fleetTask(label), { runId: label, agent: 'pool-check', stepMode: 'steps' });
    try {
      // 4 runs × 3 parallel steps: all 10 step slots busy, each step job inside its own transaction.
      await until('10 step tool calls to be running', async () => (reached === 10 ? true : undefined));
      // Every job was fetched (its heartbeat set) before this moment; the server's clock, kept as text to the microsecond.
      const allBusy = (await fleet.pool.query<{ at: string }>('SELECT clock_timestamp()::text AS at')).rows[0]!.at;
      // Each job heartbeats again (every second) while the slots stay busy; a heartbeat starved of connections never does.
      const rows = await until('every active job to heartbeat after all 10 step slots were busy', async () => {
        const { rows: active } = await fleet.pool.query<{ name: string; fresh: boolean }>(
          `SELECT name, heartbeat_on > $1::timestamptz AS fresh FROM plan_execute_queue.job
           WHERE name LIKE '%/pool-check' AND state = 'active' ORDER BY name`,
          [allBusy],
        );
        return active.every((row) => row.fresh) ? active : undefined;
      });
      expect(rows.map((row) => row.name)).toEqual([...Array(4).fill('plan-execute-runs/pool-check'), ...Array(10).fill('plan-execute-steps/pool-check')]);
    } finally {
      for (const held of holds) held.release();
    }
    for (const label of labels) expectCompleted(await fleet.client.waitForRun(label, { timeoutMs: 15_000 }), label);
  });
});

describe('startWorker: log', () => {
  it('writes one line per job: time, worker, agent, what the job was, how it ended and how long it took', async () => {
    const lines = fleet.lines;
    expect(lines[0]).toMatch(new RegExp(`${LOG_PREFIX} ready: agents default; runs 2, steps 4 at once per agent$`));
    await fleet.client.submitRun(fleetTask('whole'), { runId: 'whole' });
    await fleet.client.submitRun(fleetTask('stepwise'), { runId: 'stepwise', stepMode: 'steps' });
    expectCompleted(await fleet.client.waitForRun('whole', { timeoutMs: 15_000 }), 'whole');
    expectCompleted(await fleet.client.waitForRun('stepwise', { timeoutMs: 15_000 }), 'stepwise');
    await settledJobsOf(fleet.pool, 'whole');
    await settledJobsOf(fleet.pool, 'stepwise');

    expect(lines.filter((line) => line.includes(' whole '))).toEqual([
      expect.stringMatching(new RegExp(`${LOG_PREFIX} default run whole start → completed in \\d+ ms$`)),
    ]);
    expect(lines.filter((line) => line.includes(' late '))).toEqual([
      expect.stringMatching(new RegExp(`${LOG_PREFIX} late-agent run late start → completed in \\d+ ms$`)),
    ]);
    const stepwise = lines.filter((line) => line.includes(' stepwise'));
    expect(stepwise.filter((line) => line.includes(' run '))).toEqual([
      expect.stringMatching(new RegExp(`${LOG_PREFIX} default run stepwise start → completed in \\d+ ms$`)),
    ]);
    const steps = stepwise
      .filter((line) => !line.includes(' run '))
      .map((line) => line.match(new RegExp(`${LOG_PREFIX} default step stepwise/([a-f])#1 → done in \\d+ ms$`))?.[1]);
    expect(steps.sort()).toEqual(STEP_IDS);

    const worker = await fleet.startWorker(['log-check']);
    await fleet.stopWorker(worker);
    expect(lines.at(-1)).toMatch(new RegExp(`${LOG_PREFIX} stopped$`));
  });
});

describe('startWorker: keepLocal', () => {
  it('runs the steps keepLocal keeps on the run worker, without a step job; the others go to the step queue', async () => {
    const worker = await fleet.startWorker(['local-steps'], { keepLocal: (step, agent) => agent === 'local-steps' && ['a', 'f'].includes(step.id) });
    await fleet.client.submitRun(fleetTask('kept'), { runId: 'kept', agent: 'local-steps', stepMode: 'steps' });
    expectCompleted(await fleet.client.waitForRun('kept', { timeoutMs: 15_000 }), 'kept');
    await fleet.stopWorker(worker);
    const stepLines = fleet.lines.filter((line) => line.includes(' step kept/'));
    expect(stepLines.map((line) => line.match(/ step kept\/([a-f])#1 → done/)?.[1]).sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(
      fleet.calls
        .filter((call) => call.label === 'kept')
        .map((call) => call.stepId)
        .sort(),
    ).toEqual(STEP_IDS);
  });
});
