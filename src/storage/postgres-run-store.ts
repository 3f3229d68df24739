import type { Pool } from 'pg';
import type { Fence, LeasedRunStore, LeaseRequest, RunLease, RunRecord, StoredRun } from '../engine/run-store.ts';
import { acquireOutcome, type LeaseRow, refusal, toStoredRun } from './lease-rows.ts';
import { poolOf, type PostgresTimeouts } from './postgres-pool.ts';
import { createTablesLocked } from './postgres-schema.ts';

const COLUMNS = `record::text AS record, status, version,
  lease_owner, (extract(epoch FROM lease_expires_at) * 1000)::float8 AS lease_expires_at`;

/**
 * Options of {@link PostgresRunStore}: a connection string and the time limits of the pool the
 * store opens on it (connect 10 s, statement 30 s, lock wait 10 s by default), or a pool you own
 * (its limits are yours to set).
 */
export type PostgresRunStoreOptions =
  | ({
      /** A PostgreSQL URL: `postgres://user:password@host:5432/database`. The store opens (and closes) its own pool. */
      readonly connectionString: string;
    } & PostgresTimeouts)
  | {
      /** A `pg` pool to use; `close()` leaves it open, since its owner may still need it. */
      readonly pool: Pool;
    };

/**
 * A RunStore in PostgreSQL: one row per run in `plan_execute_runs` with a row version and a
 * lease, so a run survives its process, another process (or machine) resumes it, and never two at
 * once: every lease change and checkpoint is one compare-and-set statement on the row version
 * (its own transaction; lease times are the server's clock). The table is created
 * on first use. The record is stored as `json` (verbatim, so it reads back exactly, and queryable
 * with `record->>'task'`). Every call is time-limited (PostgresTimeouts): a database that is down,
 * silent or locked fails the call instead of holding the run.
 * @example
 * const store = new PostgresRunStore({ connectionString: process.env.DATABASE_URL! });
 * const workflow = createPlanExecuteWorkflow({ planner, executor, synthesizer, store });
 * // ...on shutdown:
 * await store.close();
 */
export class PostgresRunStore implements LeasedRunStore {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private ready: Promise<void> | null = null;

  /** Throws TypeError without a connection string or pool, InvalidOptionsError for a time limit that is not an integer from 1 ms. */
  constructor(options: PostgresRunStoreOptions) {
    ({ pool: this.pool, ownsPool: this.ownsPool } = poolOf('PostgresRunStore', options));
  }

  async save(record: RunRecord): Promise<void> {
    await this.query(
      `INSERT INTO plan_execute_runs (run_id, status, record, updated_at, version) VALUES ($1, $2, $3, clock_timestamp(), 1)
       ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, record = excluded.record, updated_at = excluded.updated_at,
         version = plan_execute_runs.version + 1, lease_owner = NULL, lease_expires_at = NULL`,
      [record.runId, record.status, JSON.stringify(record)],
    );
  }

  async load(runId: string): Promise<RunRecord | null> {
    const row = await this.row(runId);
    return row ? (JSON.parse(row.record) as RunRecord) : null;
  }

  async create(record: RunRecord, { owner, ttlMs }: LeaseRequest): Promise<StoredRun | null> {
    const rows = await this.query(
      `INSERT INTO plan_execute_runs (run_id, status, record, updated_at, version, lease_owner, lease_expires_at)
       VALUES ($1, $2, $3, clock_timestamp(), 1, $4, clock_timestamp() + $5::float8 * interval '1 millisecond')
       ON CONFLICT (run_id) DO NOTHING RETURNING ${COLUMNS}`,
      [record.runId, record.status, JSON.stringify(record), owner, ttlMs],
    );
    return rows[0] ? toStoredRun(toLeaseRow(rows[0])) : null;
  }

  async acquire(runId: string, { owner, ttlMs, replacing = null }: LeaseRequest): Promise<StoredRun | null> {
    // One statement: the row lock makes the check and the take one step, across processes and machines.
    const rows = await this.query(
      `UPDATE plan_execute_runs SET version = version + 1, lease_owner = $2, lease_expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
       WHERE run_id = $1 AND status = 'running'
         AND (lease_owner IS NULL OR lease_expires_at <= clock_timestamp() OR lease_owner = $2 OR lease_owner = $4)
       RETURNING ${COLUMNS}`,
      [runId, owner, ttlMs, replacing],
    );
    return acquireOutcome(runId, rows[0] && toLeaseRow(rows[0]), () => this.row(runId));
  }

  async write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    const ended = record.status !== 'running';
    const rows = await this.query(
      `UPDATE plan_execute_runs SET status = $1, record = $2, updated_at = clock_timestamp(), version = version + 1,
         lease_owner = CASE WHEN $3 THEN NULL ELSE lease_owner END,
         lease_expires_at = CASE WHEN $3 THEN NULL ELSE clock_timestamp() + $4::float8 * interval '1 millisecond' END
       WHERE run_id = $5 AND version = $6 AND lease_owner = $7 AND status = 'running' RETURNING version`,
      [record.status, JSON.stringify(record), ended, ttlMs, record.runId, fence.version, fence.owner],
    );
    if (rows[0]) return Number(rows[0].version);
    throw refusal(record.runId, await this.row(record.runId), 'the checkpoint was refused');
  }

  async renew(runId: string, fence: Fence, ttlMs: number): Promise<RunLease> {
    const rows = await this.query(
      `UPDATE plan_execute_runs SET lease_expires_at = clock_timestamp() + $4::float8 * interval '1 millisecond'
       WHERE run_id = $1 AND version = $2 AND lease_owner = $3 AND status = 'running' RETURNING ${COLUMNS}`,
      [runId, fence.version, fence.owner, ttlMs],
    );
    const lease = rows[0] && toStoredRun(toLeaseRow(rows[0])).lease;
    if (lease) return lease;
    throw refusal(runId, await this.row(runId), 'the lease could not be renewed');
  }

  async release(runId: string, fence: Fence): Promise<void> {
    await this.query('UPDATE plan_execute_runs SET lease_owner = NULL, lease_expires_at = NULL WHERE run_id = $1 AND lease_owner = $2', [runId, fence.owner]);
  }

  /** Ids of the runs that have not ended, least recently checkpointed first: the ones to resume after a crash. */
  async listUnfinished(): Promise<string[]> {
    const rows = await this.query("SELECT run_id FROM plan_execute_runs WHERE status = 'running' ORDER BY updated_at, run_id");
    return rows.map((row) => String(row.run_id));
  }

  /** Closes the pool the store opened; a pool passed in stays open. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }

  private async row(runId: string): Promise<LeaseRow | undefined> {
    const rows = await this.query(`SELECT ${COLUMNS} FROM plan_execute_runs WHERE run_id = $1`, [runId]);
    return rows[0] && toLeaseRow(rows[0]);
  }

  private async query(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    await this.init();
    return (await this.pool.query(sql, values)).rows as Record<string, unknown>[];
  }

  private init(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = null; // Let the next call try again (the server may come back).
      throw error;
    });
    return this.ready;
  }

  private createTable(): Promise<void> {
    return createTablesLocked(this.pool, 'plan_execute_runs', [
      `CREATE TABLE IF NOT EXISTS plan_execute_runs (
        run_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        record JSON NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      // Tables written by 0.1 lack the version and lease columns.
      `ALTER TABLE plan_execute_runs
        ADD COLUMN IF NOT EXISTS version INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS lease_owner TEXT,
        ADD COLUMN IF NOT EXISTS lease_expires_at TIMESTAMPTZ`,
      "CREATE INDEX IF NOT EXISTS plan_execute_runs_unfinished ON plan_execute_runs (updated_at) WHERE status = 'running'",
    ]);
  }
}

function toLeaseRow(row: Record<string, unknown>): LeaseRow {
  const owner = row.lease_owner;
  return {
    record: String(row.record),
    status: String(row.status),
    version: Number(row.version),
    leaseOwner: owner === null || owner === undefined ? null : String(owner),
    leaseExpiresAt: row.lease_expires_at === null ? 0 : Number(row.lease_expires_at),
  };
}
