/**
 * One worker process of `npm run bench -- fleet` (bench/fleet.ts starts it as
 * `node --import tsx bench/fleet-worker.ts`): a fleet worker on the scripted world of the fleet
 * tests, whose every `record` call and run start, resume and end is written, with this process's
 * pid and its clock, to the bench's `fleet_bench_log` table. It prints `ready` once it works the
 * queues and stops gracefully on SIGTERM; `cpu <ms>` lines (on SIGUSR2 and at stop) tell the
 * parent how much CPU the timed batch took.
 *
 * Settings come from the environment, never argv (the URL holds a password): PLAN_EXECUTE_DB,
 * FLEET_BENCH_DELAY_MS, FLEET_BENCH_CONCURRENCY.
 */
import { Pool } from 'pg';
import type { PlanRunEvent } from '../src/engine/events.ts';
import { startWorker } from '../src/fleet/worker.ts';
import { createFleetAgent } from '../tests/fixtures/fleet-world.ts';
import { type LogKind, LOG_TABLE } from './fleet-log.ts';

/** The run events the bench times. */
function logged(event: PlanRunEvent): { readonly kind: LogKind; readonly stepId: string | null } | null {
  if (event.type === 'step-finished') return { kind: event.type, stepId: event.stepId };
  if (event.type === 'run-started' || event.type === 'run-resumed' || event.type === 'run-finished') return { kind: event.type, stepId: null };
  return null;
}

/** CPU this process has spent so far (user + system), in ms: the parent takes the difference between ready and stop. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return Math.round((usage.user + usage.system) / 1000);
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench/fleet-worker.ts: ${name} is not set (bench/fleet.ts sets it)`);
  return value;
}

async function main(): Promise<void> {
  const connectionString = setting('PLAN_EXECUTE_DB');
  const pool = new Pool({ connectionString, max: 4 });
  pool.on('error', () => {});
  const log = (kind: LogKind, runId: string, stepId: string | null) =>
    pool.query(`INSERT INTO ${LOG_TABLE} (run_id, kind, step_id, worker, at_ms) VALUES ($1, $2, $3, $4, $5)`, [runId, kind, stepId, process.pid, Date.now()]);
  const agent = createFleetAgent({
    delayMs: Number(setting('FLEET_BENCH_DELAY_MS')),
    onRecord: async ({ label, stepId }) => {
      await log('record', label, stepId);
      return `recorded ${label}/${stepId} by ${process.pid}`;
    },
  });
  const worker = await startWorker({
    connectionString,
    agents: { default: agent },
    concurrency: Number(setting('FLEET_BENCH_CONCURRENCY')),
    log: (line) => process.stdout.write(`${line}\n`),
    onEvent: (event) => {
      const row = logged(event);
      if (row) void log(row.kind, event.runId, row.stepId).catch(() => undefined);
    },
  });
  process.stdout.write(`ready\ncpu ${cpuMs()}\n`);
  // The parent marks the start of a timed batch (after the warm-up runs) with SIGUSR2.
  process.on('SIGUSR2', () => process.stdout.write(`cpu ${cpuMs()}\n`));
  process.once('SIGTERM', () => {
    void worker
      .stop()
      .then(() => process.stdout.write(`cpu ${cpuMs()}\n`))
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
