/**
 * Shared pieces of the multi-process fleet tests: worker processes (tests/fixtures/fleet-worker.ts)
 * whose stdout lines can be awaited, and the rows the tests read back from PostgreSQL (the
 * `record` calls of the scripted world, the run store's rows). Imported by the worker fixture
 * too (its constants), so it imports nothing from vitest.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Pool } from 'pg';
import type { PlanRunResult } from '../../src/engine/result.ts';
import type { RunRecord } from '../../src/engine/run-store.ts';
import { killAll } from '../fixtures/spawn-fixture.ts';
import { until } from './until.ts';

/** Fleet settings of the tests: takeover after one 10 s heartbeat (pg-boss's minimum). */
export const FLEET_TEST_SETTINGS = { heartbeatSeconds: 10, monitorIntervalSeconds: 1, pollingIntervalSeconds: 0.5 } as const;
/** The table the tests create and the workers' `record` tool writes: one row per call. */
export const RECORDS_TABLE = 'fleet_records';
/** The six step ids of the fleet world's plan. */
export const STEP_IDS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;

const WORKER_FIXTURE = 'tests/fixtures/fleet-worker.ts';

/** A worker process and what it printed so far. */
export interface WorkerProcess {
  readonly pid: number;
  /** Every stdout line so far, in order. */
  readonly lines: readonly string[];
  /** Resolves with the first line (already printed or to come) matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal` (SIGSTOP, SIGCONT…) without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Sends SIGKILL; resolves with the signal that ended the process. */
  kill(): Promise<NodeJS.Signals | null>;
}

const alive = new Set<ChildProcess>();

/** Starts a worker process: `concurrency` runs and `stepConcurrency` step jobs at once; the URL goes in the environment only. */
export function spawnWorker(connectionString: string, concurrency: number, stepConcurrency: number): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_FIXTURE, String(concurrency), String(stepConcurrency)], {
    env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1', PE_DATABASE_URL: connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alive.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => {
      alive.delete(child);
      resolve(signal);
    }),
  );
  const waitForLine = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find((line) => pattern.test(line));
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`No line matching ${pattern} from worker ${child.pid} within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((how) => {
        if (!listeners.has(check)) return;
        finish();
        reject(new Error(`Worker ${child.pid} ended (${how ?? 'exit'}) before a line matching ${pattern}; stderr:\n${stderr.slice(-2000)}`));
      });
      check();
    });
  const kill = () => {
    child.kill('SIGKILL');
    return exited;
  };
  return { pid: child.pid!, lines, waitForLine, signal: (signal) => void child.kill(signal), kill };
}

/** The first of `workers` to print a line matching `pattern`, and that line; rejects after `timeoutMs`. */
export async function firstLine(workers: readonly WorkerProcess[], pattern: RegExp, timeoutMs: number): Promise<{ worker: WorkerProcess; line: string }> {
  return Promise.any(workers.map(async (worker) => ({ worker, line: await worker.waitForLine(pattern, timeoutMs) })));
}

/** Kills every worker still running (afterAll: a failed test leaves no process behind; SIGKILL ends a stopped one too). */
export function killWorkers(): Promise<void> {
  return killAll(alive);
}

/** The PostgreSQL application name of worker process `pid`'s run-store and record-table connections. */
export const workerAppName = (pid: number) => `fleet-worker-${pid}`;

/** How many connections worker process `pid` holds open on the server, by their application name. */
export async function connectionCount(pool: Pool, pid: number): Promise<number> {
  const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1', [workerAppName(pid)]);
  return rows[0]!.count;
}

/**
 * Resolves once the server has closed the run-store and record-table connections of the dead
 * worker `pid`: a checkpoint it sent just before it died has then committed or rolled back, and
 * nothing of it lands later. Rejects after `timeoutMs`.
 */
export async function connectionsClosed(pool: Pool, pid: number, timeoutMs = 10_000): Promise<void> {
  await until(`worker ${pid}'s connections to close after it died`, async () => ((await connectionCount(pool, pid)) === 0 ? true : undefined), timeoutMs, 100);
}

/** Creates the table the workers' `record` tool writes. */
export async function createRecordsTable(pool: Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE ${RECORDS_TABLE} (id serial PRIMARY KEY, label text NOT NULL, step_id text NOT NULL, pid integer NOT NULL, started_at timestamptz NOT NULL)`,
  );
}

/** One `record` call as stored. */
export interface RecordRow {
  readonly label: string;
  readonly stepId: string;
  readonly pid: number;
}

/** The `record` calls of runs whose label starts with `prefix`, in the order they were written. */
export async function recordRows(pool: Pool, prefix: string): Promise<RecordRow[]> {
  const { rows } = await pool.query<{ label: string; step_id: string; pid: number }>(
    `SELECT label, step_id, pid FROM ${RECORDS_TABLE} WHERE starts_with(label, $1) ORDER BY id`,
    [prefix],
  );
  return rows.map((row) => ({ label: row.label, stepId: row.step_id, pid: row.pid }));
}

/** The pids that ran each `label/step`, in order, keyed `label/step`. */
export function pidsByStep(rows: readonly RecordRow[]): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  for (const row of rows) pids.set(`${row.label}/${row.stepId}`, [...(pids.get(`${row.label}/${row.stepId}`) ?? []), row.pid]);
  return pids;
}

/** A run's row in the run store: its version, lease holder and record text, exactly as stored. */
export interface StoredRunRow {
  readonly runId: string;
  readonly version: number;
  readonly leaseOwner: string | null;
  readonly record: string;
}

/** The run store's rows of runs whose id starts with `prefix`. */
export async function storedRuns(pool: Pool, prefix: string): Promise<StoredRunRow[]> {
  const { rows } = await pool.query<{ run_id: string; version: number; lease_owner: string | null; record: string }>(
    'SELECT run_id, version, lease_owner, record::text AS record FROM plan_execute_runs WHERE starts_with(run_id, $1) ORDER BY run_id',
    [prefix],
  );
  return rows.map((row) => ({ runId: row.run_id, version: row.version, leaseOwner: row.lease_owner, record: row.record }));
}

/** `label/step` of every step a stored record holds as done. */
export function doneSteps(runs: readonly StoredRunRow[]): Set<string> {
  const done = new Set<string>();
  for (const run of runs) {
    const record = JSON.parse(run.record) as RunRecord;
    for (const step of record.snapshot?.steps ?? []) if (step.status === 'done') done.add(`${run.runId}/${step.id}`);
  }
  return done;
}

/** What a completed run of the fleet world reports, step by step: [id, status, output]. */
export const expectedSteps = (label: string) => STEP_IDS.map((id) => [id, 'done', `recorded ${label}/${id}`]);

/** A result's steps as [id, status, output], to compare with `expectedSteps`. */
export const stepsOf = (result: PlanRunResult) => result.plan.map((step) => [step.id, step.status, step.output]);

/** A job as pg-boss stores it (schema `plan_execute_queue`, the fleet's default). */
export interface JobRow {
  readonly state: string;
  readonly retryCount: number;
  readonly output: unknown;
}

const SETTLED_STATES = ['completed', 'failed', 'cancelled'];

/**
 * The pg-boss rows holding `jobId` (one, unless a duplicate got through), once none is still
 * waiting or active: pg-boss settles a job just after its handler returned, so a moment after
 * the run's result is stored. Rejects after `timeoutMs`.
 */
export async function settledJobRows(pool: Pool, jobId: string, timeoutMs = 5000): Promise<JobRow[]> {
  return until(
    `job ${jobId} to settle`,
    async () => {
      const { rows } = await pool.query<{ state: string; retry_count: number; output: unknown }>(
        'SELECT state, retry_count, output FROM plan_execute_queue.job WHERE id = $1',
        [jobId],
      );
      const jobs = rows.map((row) => ({ state: row.state, retryCount: row.retry_count, output: row.output }));
      return jobs.every((job) => SETTLED_STATES.includes(job.state)) ? jobs : undefined;
    },
    timeoutMs,
    100,
  );
}
