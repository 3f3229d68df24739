/**
 * The log the fleet bench's workers write and its parent reads: one row per `record` tool call
 * and per run start, resume and end, with the worker's pid and its clock (the processes share one
 * machine, so one clock).
 */
import type { Pool } from 'pg';

/** The table both sides of the bench share. */
export const LOG_TABLE = 'fleet_bench_log';

/** What a row says happened: a `record` call (a step really ran), a step's end, or a run event. */
export type LogKind = 'record' | 'step-finished' | 'run-started' | 'run-resumed' | 'run-finished';

/** One row of the log. */
export interface LogRow {
  readonly runId: string;
  readonly kind: LogKind;
  /** The step of a `record` or `step-finished` row; null for run events. */
  readonly stepId: string | null;
  /** The pid of the worker process that wrote it. */
  readonly worker: number;
  /** When, in ms since the epoch. */
  readonly atMs: number;
}

/** Creates the log table (the parent does, before any worker starts). */
export async function createLogTable(pool: Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${LOG_TABLE} (
    run_id text NOT NULL, kind text NOT NULL, step_id text, worker integer NOT NULL, at_ms double precision NOT NULL)`);
}

/** Every row, oldest first. */
export async function readLog(pool: Pool): Promise<LogRow[]> {
  const { rows } = await pool.query<{ run_id: string; kind: LogKind; step_id: string | null; worker: number; at_ms: number }>(
    `SELECT run_id, kind, step_id, worker, at_ms FROM ${LOG_TABLE} ORDER BY at_ms`,
  );
  return rows.map((row) => ({ runId: row.run_id, kind: row.kind, stepId: row.step_id, worker: row.worker, atMs: row.at_ms }));
}

/** Polls the log every `pollMs` until `isDone(rows)` holds; throws after `timeoutMs`, naming `what`. */
export async function waitForLog(pool: Pool, what: string, isDone: (rows: readonly LogRow[]) => boolean, timeoutMs: number, pollMs = 50): Promise<LogRow[]> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readLog(pool);
    if (isDone(rows)) return rows;
    if (Date.now() > giveUpAt) throw new Error(`The fleet bench waited ${timeoutMs} ms for ${what}; the log has ${rows.length} rows`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
