/**
 * `npm run bench -- fleet [--quick] [--runs N] [--delay MS] [--concurrency N] [--kills N] [--verbose]`:
 * the worker fleet (src/fleet) on a throwaway PostgreSQL (tests/helpers/postgres.ts). It times one
 * batch of runs of the fleet tests' scripted world with 1, 2 and 3 worker processes (each a child
 * `node --import tsx bench/fleet-worker.ts`, a fixed number of runs at once), prints runs/s and the
 * ratio to one worker, then SIGKILLs the worker holding a run in its middle and times the takeover.
 * Each batch and each kill gets a database of its own on the one cluster. About 2 minutes on a quiet machine;
 * `--quick` (12 runs, one kill) takes about two thirds of that.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { FleetClient } from '../src/fleet/fleet-client.ts';
import { FLEET_DEFAULTS, resolveFleetSettings, takeoverBoundMs } from '../src/fleet/fleet-settings.ts';
import { FLEET_PLAN, fleetTask } from '../tests/fixtures/fleet-world.ts';
import { type PostgresCluster, startPostgres } from '../tests/helpers/postgres.ts';
import { createLogTable, type LogRow, readLog, waitForLog } from './fleet-log.ts';
import { type BenchWorker, startBenchWorker } from './fleet-processes.ts';
import {
  type BatchSummary,
  criticalModelCalls,
  type FleetBenchOptions,
  formatFleetReport,
  parseFleetArguments,
  summariseBatch,
  summariseTakeover,
  type TakeoverSummary,
} from './fleet-report.ts';
import { describeMachine } from './report.ts';

/** The steps of the middle layer (b, c, d run side by side after a): the kill lands while they run. */
const MIDDLE_LAYER = new Set(['b', 'c', 'd']);
/** Slack per round of runs (and per takeover) on top of four times its model time, before the bench gives up: a slow fleet is measured, not failed. */
const SLACK_MS = 60_000;

/** One database of the cluster, with the bench's log table, and a pool on it. */
interface Database {
  readonly url: string;
  readonly pool: Pool;
}

async function createDatabase(cluster: PostgresCluster, admin: Pool, name: string): Promise<Database> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(cluster.connectionString);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => {});
  await createLogTable(pool);
  return { url: url.toString(), pool };
}

function startWorkers(database: Database, count: number, options: FleetBenchOptions): Promise<BenchWorker[]> {
  const settings = { connectionString: database.url, delayMs: options.delayMs, concurrency: options.concurrency };
  return Promise.all(Array.from({ length: count }, () => startBenchWorker(settings, options.verbose)));
}

const runIds = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${String(index + 1).padStart(2, '0')}`);

/**
 * Submits `ids` and waits until the log shows each finished, then for each stored result, and
 * throws unless all completed: a bench of failing runs would time the wrong thing.
 */
async function submitAndWait(client: FleetClient, database: Database, ids: readonly string[], timeoutMs: number): Promise<LogRow[]> {
  for (const runId of ids) await client.submitRun(fleetTask(runId), { runId });
  const wanted = new Set(ids);
  const isDone = (rows: readonly LogRow[]) => rows.filter((row) => row.kind === 'run-finished' && wanted.has(row.runId)).length >= ids.length;
  const rows = await waitForLog(database.pool, `${ids.length} runs to finish`, isDone, timeoutMs, 100);
  for (const runId of ids) {
    const result = await client.waitForRun(runId, { timeoutMs: 60_000 });
    if (result.status !== 'completed') throw new Error(`Run ${runId} ended ${result.status}: ${result.error?.message ?? 'no error'}`);
  }
  return rows.filter((row) => wanted.has(row.runId));
}

/**
 * One batch of `options.runs` runs on `workers` fresh worker processes, after one untimed round
 * of warm-up runs (a fresh process's first runs are slower: JIT, lazy imports, connections).
 */
async function timeBatch(cluster: PostgresCluster, admin: Pool, workers: number, options: FleetBenchOptions): Promise<BatchSummary> {
  const database = await createDatabase(cluster, admin, `bench_workers_${workers}`);
  const processes = await startWorkers(database, workers, options);
  const client = await FleetClient.connect({ connectionString: database.url });
  try {
    const roundMs = criticalModelCalls(FLEET_PLAN) * options.delayMs * 4 + SLACK_MS;
    await submitAndWait(client, database, runIds('warm', workers * options.concurrency), roundMs);
    await Promise.all(processes.map((worker) => worker.markCpu()));
    const startedAtMs = Date.now();
    const rounds = Math.ceil(options.runs / (workers * options.concurrency));
    const rows = await submitAndWait(client, database, runIds('run', options.runs), rounds * roundMs);
    const cpuMs = (await Promise.all(processes.map((worker) => worker.stop()))).reduce((total, ms) => total + ms, 0);
    return summariseBatch(rows, { workers, runs: options.runs, startedAtMs, cpuSeconds: cpuMs / 1000 });
  } finally {
    await Promise.all(processes.map((worker) => worker.stop()));
    await client.close();
    await database.pool.end();
  }
}

/** Two workers, one run; the worker holding it is SIGKILLed just after a middle-layer step recorded, and the other takes over. */
async function timeTakeover(cluster: PostgresCluster, admin: Pool, index: number, options: FleetBenchOptions): Promise<TakeoverSummary> {
  const database = await createDatabase(cluster, admin, `bench_kill_${index}`);
  const processes = await startWorkers(database, 2, options);
  const client = await FleetClient.connect({ connectionString: database.url });
  try {
    const runId = `kill-${index}`;
    await client.submitRun(fleetTask(runId), { runId });
    const modelMs = criticalModelCalls(FLEET_PLAN) * options.delayMs * 4 + SLACK_MS;
    const isMiddle = (row: { kind: string; stepId: string | null }) => row.kind === 'record' && MIDDLE_LAYER.has(row.stepId ?? '');
    const rows = await waitForLog(database.pool, 'a middle-layer step to record', (log) => log.some(isMiddle), modelMs, 20);
    const victim = processes.find((worker) => worker.pid === rows.find(isMiddle)!.worker)!;
    const killedAtMs = victim.kill();
    const bound = takeoverBoundMs(resolveFleetSettings({ connectionString: database.url }));
    await waitForLog(database.pool, 'the run to finish on another worker', (log) => log.some((row) => row.kind === 'run-finished'), bound + modelMs, 50);
    const result = await client.waitForRun(runId, { timeoutMs: 60_000 });
    if (result.status !== 'completed') throw new Error(`Run ${runId} ended ${result.status} after the takeover: ${result.error?.message ?? 'no error'}`);
    return summariseTakeover(await readLog(database.pool), { runId, killedPid: victim.pid, killedAtMs });
  } finally {
    await Promise.all(processes.map((worker) => worker.stop()));
    await client.close();
    await database.pool.end();
  }
}

function machineLine(): string {
  const machine = describeMachine();
  return `${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, ${machine.platform}, load ${machine.loadAverage}`;
}

/** Runs the fleet bench with `args` (after `fleet`) and prints its report; resolves to the exit code. */
export async function runFleetBench(args: readonly string[]): Promise<number> {
  let options: FleetBenchOptions;
  try {
    options = parseFleetArguments(args);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const date = new Date().toISOString();
  const machine = machineLine();
  const started = performance.now();
  // Ctrl-C goes through process.exit, whose 'exit' handlers stop the workers and the cluster.
  process.once('SIGINT', () => process.exit(130));
  const cluster = await startPostgres();
  const admin = new Pool({ connectionString: cluster.connectionString, max: 1 });
  try {
    const batches: BatchSummary[] = [];
    for (const workers of options.workerCounts) {
      process.stderr.write(`timing ${options.runs} runs on ${workers} worker${workers === 1 ? '' : 's'}…\n`);
      batches.push(await timeBatch(cluster, admin, workers, options));
    }
    const takeovers: TakeoverSummary[] = [];
    for (let index = 1; index <= options.kills; index++) {
      process.stderr.write(`killing a worker in the middle of a run (${index} of ${options.kills})…\n`);
      takeovers.push(await timeTakeover(cluster, admin, index, options));
    }
    const settings = { ...FLEET_DEFAULTS, takeoverBoundMs: takeoverBoundMs(resolveFleetSettings({ connectionString: cluster.connectionString })) };
    const seconds = (performance.now() - started) / 1000;
    const report = { machine, date, options, settings, plan: FLEET_PLAN, cores: cpus().length, batches, takeovers, seconds };
    process.stdout.write(`${formatFleetReport(report)}\n`);
    return 0;
  } finally {
    await admin.end();
    await cluster.stop();
  }
}
