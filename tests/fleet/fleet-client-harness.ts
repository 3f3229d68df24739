/**
 * The in-process fleet of the fleet-client, fleet-approval and fleet-cancel tests: one FleetClient,
 * workers started in this process on the scripted world (tests/fixtures/fleet-world.ts), every
 * `record` tool call kept in order, tool calls that can be held open until released or aborted,
 * and a pg pool for reading the tables. `close()` stops every worker, the client and the pool.
 */
import { hostname } from 'node:os';
import { Pool } from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { FleetClient, type FleetClientOptions } from '../../src/fleet/fleet-client.ts';
import { type FleetWorker, startWorker, type WorkerOptions } from '../../src/fleet/worker.ts';
import { createFleetAgent, type RecordCall } from '../fixtures/fleet-world.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

export { until };

/** Time each scripted model call takes, in ms: short, but enough for runs on one worker to interleave. */
export const MODEL_DELAY_MS = 5;

/** A tool call held open: `reached` once it started, then it waits until `release()` or its signal aborts. */
export interface HeldCall {
  /** Resolves with the call's abort signal once the tool call has started. */
  readonly reached: Promise<AbortSignal | undefined>;
  /** Lets the call return. */
  release(): void;
  /** Whether the call's signal aborted while it was held. */
  readonly aborted: () => boolean;
}

/** One in-process fleet on `connectionString`. */
export interface Fleet {
  readonly client: FleetClient;
  /** For reading the tables. */
  readonly pool: Pool;
  /** Every `record` call, in order. */
  readonly calls: RecordCall[];
  /** Every log line of every worker. */
  readonly lines: string[];
  /** Holds the next `record` call of `label`'s step `stepId` open. */
  hold(label: string, stepId: string): HeldCall;
  /** A worker of the scripted agent under each of `agents` (stopped by `close()`). */
  startWorker(agents: readonly string[], options?: Partial<WorkerOptions>): Promise<FleetWorker>;
  /** Stops `worker` now (it is not stopped again by `close()`). */
  stopWorker(worker: FleetWorker): Promise<void>;
  close(): Promise<void>;
}

/** The output the scripted executor reports for `label`'s step `stepId`. */
export const recorded = (label: string, stepId: string) => `recorded ${stepId} of ${label}`;

/** The steps of the scripted plan (FLEET_PLAN). */
export const STEP_IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** How every log line of a worker in this process starts (a pattern): the time, then `worker host:pid`. */
export const LOG_PREFIX = String.raw`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z worker ${hostname()}:${process.pid}`;

/** Fails unless `result` is `label`'s run completed: the six outputs of the scripted world and its synthesis. */
export function expectCompleted(result: PlanRunResult, label: string): void {
  expect(result.status).toBe('completed');
  expect(result.error).toBeNull();
  expect(result.plan.map((step) => [step.id, step.status, step.output])).toEqual(STEP_IDS.map((id) => [id, 'done', recorded(label, id)]));
  expect(result.finalOutput).toBe(`Synthesis of ${label}`);
}

/** The INVALID_OPTIONS message `promise` rejects with (throws for anything else, a resolution included). */
export async function invalidOptionsMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!isPlanExecuteError(error, 'INVALID_OPTIONS')) throw new Error(`Expected INVALID_OPTIONS, got ${String(error)}`);
  return error.message;
}

/** The `record` tool's calls, in order, and the calls to hold open. */
function recorder() {
  const calls: RecordCall[] = [];
  const holds = new Map<string, ReturnType<typeof heldCall>>();
  const heldCalls: HeldCall[] = [];
  return {
    calls,
    heldCalls,
    hold(label: string, stepId: string): HeldCall {
      const call = heldCall();
      holds.set(`${label}/${stepId}`, call);
      heldCalls.push(call);
      return call;
    },
    async onRecord(call: RecordCall, signal: AbortSignal | undefined): Promise<string> {
      calls.push(call);
      const key = `${call.label}/${call.stepId}`;
      const held = holds.get(key);
      holds.delete(key);
      await held?.enter(signal);
      return recorded(call.label, call.stepId);
    },
  };
}

/** Opens a client (and a pool) on `connectionString`; workers come from `startWorker`. */
export async function openFleet(connectionString: string, clientOptions: Partial<FleetClientOptions> = {}): Promise<Fleet> {
  const { calls, heldCalls, hold, onRecord } = recorder();
  const lines: string[] = [];
  const workers = new Set<FleetWorker>();
  const client = await FleetClient.connect({ connectionString, ...clientOptions });
  const pool = new Pool({ connectionString, max: 2 });
  pool.on('error', () => {});
  return {
    client,
    pool,
    calls,
    lines,
    hold,
    async startWorker(agents, options = {}) {
      const agent = createFleetAgent({ delayMs: MODEL_DELAY_MS, onRecord });
      const agentsByName = Object.fromEntries(agents.map((name) => [name, agent]));
      const worker = await startWorker({ connectionString, agents: agentsByName, log: (line) => lines.push(line), stopTimeoutMs: 5_000, ...options });
      workers.add(worker);
      return worker;
    },
    async stopWorker(worker) {
      workers.delete(worker);
      await worker.stop();
    },
    async close() {
      // A test that failed while holding calls must not leave its workers waiting out their stop timeout.
      for (const call of heldCalls) call.release();
      await Promise.all([...workers].map((worker) => worker.stop()));
      await client.close();
      await pool.end();
    },
  };
}

function heldCall(): HeldCall & { enter: (signal: AbortSignal | undefined) => Promise<void> } {
  let reach: (signal: AbortSignal | undefined) => void = () => {};
  let release: () => void = () => {};
  let aborted = false;
  const reached = new Promise<AbortSignal | undefined>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    reached,
    release: () => release(),
    aborted: () => aborted,
    enter(signal) {
      reach(signal);
      // Like a real tool, it stops on its signal; the test sees whether the signal reached it.
      const onAbort = new Promise<void>((_, reject) =>
        signal?.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        }),
      );
      return Promise.race([released, onAbort]);
    },
  };
}

/** The pg-boss jobs of `runId` (run and step jobs), as `queue kind state`, oldest first. */
export async function jobsOf(pool: Pool, runId: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; kind: string | null; state: string }>(
    `SELECT name, data->>'kind' AS kind, state::text AS state FROM plan_execute_queue.job WHERE data->>'runId' = $1 ORDER BY created_on, id`,
    [runId],
  );
  return rows.map((row) => `${row.name} ${row.kind ?? 'step'} ${row.state}`);
}

/**
 * The jobs of `runId` once none is queued or running any more. A run's result is stored before its
 * job completes (the worker's handler returns after that), so a caller that saw the result waits for this.
 */
export function settledJobsOf(pool: Pool, runId: string): Promise<string[]> {
  return until(`the jobs of ${runId} to settle`, async () => {
    const jobs = await jobsOf(pool, runId);
    return jobs.some((job) => / (created|retry|active)$/.test(job)) ? undefined : jobs;
  });
}

/**
 * Waits until the stored record of `runId` shows each of `stepIds` done. Steps that run beside a
 * held one end at their own pace (under load, after the held call started), so a test that reads
 * the run while a call is held waits for them first.
 */
export function stepsDone(client: FleetClient, runId: string, stepIds: readonly string[]): Promise<true> {
  return until(`steps ${stepIds.join(', ')} of ${runId} to be done`, async () => {
    const steps = (await client.getRun(runId))?.steps ?? [];
    return stepIds.every((id) => steps.some((step) => step.id === id && step.status === 'done')) ? true : undefined;
  });
}

/** The lease owner `plan_execute_runs` holds for `runId` (null: nobody holds the run). */
export async function leaseOwnerOf(pool: Pool, runId: string): Promise<string | null> {
  const { rows } = await pool.query<{ lease_owner: string | null }>('SELECT lease_owner FROM plan_execute_runs WHERE run_id = $1', [runId]);
  if (rows.length !== 1) throw new Error(`No stored run ${runId}`);
  return rows[0]!.lease_owner;
}

/**
 * For a test file: a throwaway cluster, a fleet on it and one worker of `default`, opened before
 * its tests and closed after them. `use` receives the fleet and the cluster's URL.
 */
export function useFleetPerFile(use: (fleet: Fleet, connectionString: string) => void): void {
  let cluster: PostgresCluster | undefined;
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
    fleet = await openFleet(cluster.connectionString);
    await fleet.startWorker(['default']);
    use(fleet, cluster.connectionString);
  }, 60_000);
  afterAll(async () => {
    await fleet?.close();
    await cluster?.stop();
  });
}
