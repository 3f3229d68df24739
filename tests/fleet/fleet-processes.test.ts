/**
 * The fleet across processes on a real PostgreSQL: three worker processes
 * (tests/fixtures/fleet-worker.ts) on one throwaway cluster, started once. In order: a step-mode
 * run spread over the three; duplicate submits; 20 runs with one worker SIGKILLed inside a step;
 * a worker frozen with SIGSTOP past its heartbeat, then continued. Takeover waits one 10 s
 * heartbeat (pg-boss's minimum), so only the last two tests wait for one.
 */
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { FleetClient } from '../../src/fleet/fleet-client.ts';
import { startJobId } from '../../src/fleet/job-ids.ts';
import { fleetTask } from '../fixtures/fleet-world.ts';
import {
  connectionCount,
  connectionsClosed,
  createRecordsTable,
  doneSteps,
  expectedSteps,
  FLEET_TEST_SETTINGS,
  firstLine,
  killWorkers,
  pidsByStep,
  recordRows,
  settledJobRows,
  STEP_IDS,
  spawnWorker,
  stepsOf,
  storedRuns,
  type WorkerProcess,
} from '../helpers/fleet-harness.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

/** Runs each worker drives at once; step jobs each takes at once (one: three parallel steps need three workers). */
const RUNS_PER_WORKER = 4;
const STEPS_PER_WORKER = 1;
/** Bound of a wait that spans one takeover (10 s heartbeat + monitor + retry delay + poll) on a busy machine. */
const TAKEOVER_WAIT_MS = 45_000;

let cluster: PostgresCluster | undefined;
let pool: Pool;
let client: FleetClient;
let workers: WorkerProcess[] = [];
const killed = new Set<number>();
const live = () => workers.filter((worker) => !killed.has(worker.pid));

beforeAll(async () => {
  cluster = await startPostgres();
  pool = new Pool({ connectionString: cluster.connectionString, max: 4 });
  pool.on('error', () => {});
  await createRecordsTable(pool);
  // Installs pg-boss's schema before three workers start on it.
  client = await FleetClient.connect({ connectionString: cluster.connectionString, ...FLEET_TEST_SETTINGS });
  workers = [1, 2, 3].map(() => spawnWorker(cluster!.connectionString, RUNS_PER_WORKER, STEPS_PER_WORKER));
  await Promise.all(workers.map((worker) => worker.waitForLine(/^ready$/, 60_000)));
}, 120_000);

afterAll(async () => {
  await killWorkers();
  await client?.close();
  await pool?.end();
  await cluster?.stop();
}, 30_000);

const submit = (label: string, stepMode: 'run' | 'steps' = 'run') => client.submitRun(fleetTask(label), { runId: label, stepMode });
/** A line `worker` logs when it ended a job, e.g. `default run batch-01 start (retry 1) → completed`. */
const jobLine = (what: string, outcome: string) =>
  new RegExp(` worker [^ ]+ default ${what.replaceAll('(', '\\(').replaceAll(')', '\\)')} → ${outcome} in \\d+ ms$`);

/**
 * SIGKILLs the worker holding the first step e of the batch runs (held until continued, so it is
 * still inside that step however late the kill lands), and reads what the checkpoints held once
 * its last statements ended: every step stored as done, and the runs whose lease it held.
 */
async function killInsideStep() {
  const { worker: victim, line } = await firstLine(workers, /^held batch-\d+\/e$/, 60_000);
  // Its connections are told by their name: the wait for them to close below sees real ones.
  expect(await connectionCount(pool, victim.pid)).toBeGreaterThan(0);
  expect(await victim.kill()).toBe('SIGKILL');
  killed.add(victim.pid);
  await connectionsClosed(pool, victim.pid);
  const atKill = await storedRuns(pool, 'batch-');
  const heldByVictim = atKill.filter((run) => run.leaseOwner?.includes(`:${victim.pid}:`)).map((run) => run.runId);
  return { victim, killedStep: line.split(' ')[1]!, doneAtKill: doneSteps(atKill), heldByVictim };
}

describe('a fleet of three worker processes on PostgreSQL', () => {
  it("spreads a step-mode run's independent steps b, c and d over the three workers", async () => {
    await submit('steps-1', 'steps');
    const result = await client.waitForRun('steps-1', { timeoutMs: 30_000 });
    expect(result.status).toBe('completed');
    expect(stepsOf(result)).toEqual(expectedSteps('steps-1'));
    expect(result.finalOutput).toBe('Synthesis of steps-1');
    const pids = pidsByStep(await recordRows(pool, 'steps-'));
    expect([...pids.keys()].sort()).toEqual(STEP_IDS.map((id) => `steps-1/${id}`));
    expect([...pids.values()].map((ran) => ran.length)).toEqual([1, 1, 1, 1, 1, 1]);
    const parallel = ['b', 'c', 'd'].map((id) => pids.get(`steps-1/${id}`)![0]);
    expect(new Set(parallel)).toEqual(new Set(workers.map((worker) => worker.pid)));
    // Each step job was done (and logged) by the worker whose `record` call ran the step.
    for (const id of STEP_IDS) {
      const { worker } = await firstLine(workers, jobLine(`step steps-1/${id}#1`, 'done'), 5000);
      expect([id, worker.pid]).toEqual([id, pids.get(`steps-1/${id}`)![0]]);
    }
  }, 60_000);

  it('refuses a second submit of a runId, at once or after the run ended, and runs it once', async () => {
    const submits = await Promise.allSettled([submit('dup-1'), submit('dup-1')]);
    expect(submits.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const late = await submit('dup-1').then(
      () => null,
      (error: unknown) => error,
    );
    expect((await client.waitForRun('dup-1', { timeoutMs: 30_000 })).status).toBe('completed');
    const afterEnd = await submit('dup-1').then(
      () => null,
      (error: unknown) => error,
    );
    for (const refused of [(submits.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason, late, afterEnd]) {
      expect(isPlanExecuteError(refused, 'INVALID_OPTIONS')).toBe(true);
      expect((refused as Error).message).toBe('A run with id "dup-1" was already submitted');
    }
    const { rows } = await pool.query("SELECT count(*)::int AS count FROM plan_execute_fleet_runs WHERE run_id = 'dup-1'");
    expect(rows[0].count).toBe(1);
    expect((await settledJobRows(pool, startJobId('dup-1'))).map(({ state, retryCount }) => [state, retryCount])).toEqual([['completed', 0]]);
    expect((await recordRows(pool, 'dup-')).map(({ stepId }) => stepId).sort()).toEqual([...STEP_IDS]);
  }, 60_000);

  it('completes 20 runs when a worker is SIGKILLed inside a step: done steps never re-run, interrupted ones once, elsewhere', async () => {
    const labels = Array.from({ length: 20 }, (_, index) => `batch-${String(index + 1).padStart(2, '0')}`);
    for (const label of labels) await submit(label);
    const { victim, killedStep, doneAtKill, heldByVictim } = await killInsideStep();
    const killedRun = killedStep.split('/')[0]!;
    const results = await Promise.all(labels.map((label) => client.waitForRun(label, { timeoutMs: TAKEOVER_WAIT_MS })));

    expect(results.map((result) => [result.runId, result.status, result.finalOutput])).toEqual(
      labels.map((label) => [label, 'completed', `Synthesis of ${label}`]),
    );
    for (const result of results) expect(stepsOf(result)).toEqual(expectedSteps(result.runId));
    expect(heldByVictim).toContain(killedRun);
    for (const id of ['a', 'b', 'c']) expect(doneAtKill).toContain(`${killedRun}/${id}`);

    const pids = pidsByStep(await recordRows(pool, 'batch-'));
    expect([...pids.keys()].sort()).toEqual(labels.flatMap((label) => STEP_IDS.map((id) => `${label}/${id}`)));
    // The victim's steps that no checkpoint held as done when it died: each ran again once, on a survivor.
    const interrupted = [...pids].filter(([key, ran]) => ran[0] === victim.pid && !doneAtKill.has(key)).map(([key]) => key);
    expect(interrupted).toContain(killedStep);
    const survivorPids = live().map((worker) => worker.pid);
    for (const [key, ran] of pids) {
      if (interrupted.includes(key)) expect([key, ran.length, survivorPids.includes(ran[1]!)]).toEqual([key, 2, true]);
      else expect([key, ran]).toEqual([key, [ran[0]]]);
    }
    expect(survivorPids).toContain(pids.get(`${killedRun}/f`)![0]);
    // Each run the victim held was taken over: its pg-boss job retried once, completed by a survivor.
    for (const runId of heldByVictim) {
      await firstLine(live(), jobLine(`run ${runId} start (retry 1)`, 'completed'), 5000);
      expect((await settledJobRows(pool, startJobId(runId))).map(({ state, retryCount }) => [state, retryCount])).toEqual([['completed', 1]]);
    }
  }, 90_000);

  it('lets a worker frozen (SIGSTOP) past its heartbeat write nothing once continued: another worker finished the run', async () => {
    await submit('frozen-1');
    // Its step a is held until SIGCONT: stopped inside that step, however late the SIGSTOP lands.
    const { worker: frozen } = await firstLine(live(), /^held frozen-1\/a$/, 30_000);
    frozen.signal('SIGSTOP');
    const result = await client.waitForRun('frozen-1', { timeoutMs: TAKEOVER_WAIT_MS });
    const [storedBefore] = await storedRuns(pool, 'frozen-');
    const jobBefore = await settledJobRows(pool, startJobId('frozen-1'));
    const rowsBefore = await recordRows(pool, 'frozen-');

    frozen.signal('SIGCONT');
    // The continued worker ends its copy of the job (its step a ends on SIGCONT, its checkpoint is refused) and logs it.
    const frozenLine = await frozen.waitForLine(/ default run frozen-1 start → /, 20_000);
    const frozenEnd = await frozen.waitForLine(/^finished frozen-1 /, 5000);
    // pg-boss settles (fenced) the job right after the handler returns: leave it that moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect([result.status, result.finalOutput]).toEqual(['completed', 'Synthesis of frozen-1']);
    expect(stepsOf(result)).toEqual(expectedSteps('frozen-1'));
    const [storedAfter] = await storedRuns(pool, 'frozen-');
    expect(storedAfter).toEqual(storedBefore);
    expect(JSON.parse(storedAfter!.record).result).toEqual(result);
    expect(await settledJobRows(pool, startJobId('frozen-1'))).toEqual(jobBefore);
    expect(jobBefore.map(({ state, retryCount }) => [state, retryCount])).toEqual([['completed', 1]]);
    expect(await recordRows(pool, 'frozen-')).toEqual(rowsBefore);
    const pids = pidsByStep(rowsBefore);
    const taker = pids.get('frozen-1/b')![0]!;
    expect(live().map((worker) => worker.pid)).toContain(taker);
    expect(Object.fromEntries(pids)).toEqual({
      'frozen-1/a': [frozen.pid, taker],
      ...Object.fromEntries(['b', 'c', 'd', 'e', 'f'].map((id) => [`frozen-1/${id}`, [taker]])),
    });
    await workers.find((worker) => worker.pid === taker)!.waitForLine(jobLine('run frozen-1 start (retry 1)', 'completed'), 5000);
    expect([frozenLine.replace(/^.* default /, '').replace(/\d+ ms$/, 'N ms'), frozenEnd]).toEqual([
      'run frozen-1 start → lost in N ms',
      'finished frozen-1 failed RUN_LOCKED',
    ]);
  }, 90_000);
});
