import type { Pool, PoolClient } from 'pg';
import { createTablesLocked } from '../storage/postgres-schema.ts';
import type { FleetStepMode } from './run-jobs.ts';

/** A submitted run as the fleet recorded it: which agent's workers do it, and how. */
export interface Submission {
  readonly runId: string;
  readonly agent: string;
  readonly task: string;
  readonly stepMode: FleetStepMode;
  readonly approval: boolean;
}

const TABLE = 'plan_execute_fleet_runs';

/** Creates the submissions table when missing (one row per submitted run; the run id is the key, so a run is submitted once). */
export function createSubmissionsTable(pool: Pool): Promise<void> {
  return createTablesLocked(pool, TABLE, [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (run_id text PRIMARY KEY, agent text NOT NULL, task text NOT NULL,
       step_mode text NOT NULL, approval boolean NOT NULL, submitted_at timestamptz NOT NULL DEFAULT now())`,
  ]);
}

/** Records `submission` inside the caller's transaction; false when the run id was submitted before. */
export async function insertSubmission(client: PoolClient, submission: Submission): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO ${TABLE} (run_id, agent, task, step_mode, approval) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO NOTHING`,
    [submission.runId, submission.agent, submission.task, submission.stepMode, submission.approval],
  );
  return rowCount === 1;
}

/** The submission of `runId`; null when it was never submitted. */
export async function loadSubmission(pool: Pool, runId: string): Promise<Submission | null> {
  const { rows } = await pool.query<{ agent: string; task: string; step_mode: FleetStepMode; approval: boolean }>(
    `SELECT agent, task, step_mode, approval FROM ${TABLE} WHERE run_id = $1`,
    [runId],
  );
  const row = rows[0];
  return row ? { runId, agent: row.agent, task: row.task, stepMode: row.step_mode, approval: row.approval } : null;
}
