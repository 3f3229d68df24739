import { Pool } from 'pg';
import type { RunRecord, RunStore } from '../engine/run-store.ts';

/** Options of {@link PostgresRunStore}: a connection string, or a pool you own. */
export type PostgresRunStoreOptions =
  | {
      /** A PostgreSQL URL: `postgres://user:password@host:5432/database`. The store opens (and closes) its own pool. */
      readonly connectionString: string;
    }
  | {
      /** A `pg` pool to use; `close()` leaves it open, since its owner may still need it. */
      readonly pool: Pool;
    };

/**
 * A RunStore in PostgreSQL: one row per run in `plan_execute_runs`, replaced on every checkpoint,
 * so a run survives its process and another process (or machine) resumes it. The table is created
 * on first use. The record is stored as `json` (verbatim, so it reads back exactly, and queryable
 * with `record->>'task'`).
 * @example
 * const store = new PostgresRunStore({ connectionString: process.env.DATABASE_URL! });
 * const workflow = createPlanExecuteWorkflow({ planner, executor, synthesizer, store });
 * // ...on shutdown:
 * await store.close();
 */
export class PostgresRunStore implements RunStore {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private ready: Promise<void> | null = null;

  constructor(options: PostgresRunStoreOptions) {
    if ('pool' in options) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else {
      if (!options.connectionString) throw new TypeError('PostgresRunStore needs a connectionString or a pool; got an empty connectionString');
      this.pool = new Pool({ connectionString: options.connectionString });
      // An idle connection dropped by the server emits 'error' on the pool, which would crash the
      // process if nobody listened; the pool replaces the connection on the next query.
      this.pool.on('error', () => {});
      this.ownsPool = true;
    }
  }

  async save(record: RunRecord): Promise<void> {
    await this.init();
    await this.pool.query(
      `INSERT INTO plan_execute_runs (run_id, status, record, updated_at) VALUES ($1, $2, $3, clock_timestamp())
       ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, record = excluded.record, updated_at = excluded.updated_at`,
      [record.runId, record.status, JSON.stringify(record)],
    );
  }

  async load(runId: string): Promise<RunRecord | null> {
    await this.init();
    const { rows } = await this.pool.query<{ record: string }>('SELECT record::text AS record FROM plan_execute_runs WHERE run_id = $1', [runId]);
    const json = rows[0]?.record;
    return json === undefined ? null : (JSON.parse(json) as RunRecord);
  }

  /** Ids of the runs that have not ended, least recently checkpointed first: the ones to resume after a crash. */
  async listUnfinished(): Promise<string[]> {
    await this.init();
    const { rows } = await this.pool.query<{ run_id: string }>(
      "SELECT run_id FROM plan_execute_runs WHERE status = 'running' ORDER BY updated_at, run_id",
    );
    return rows.map((row) => row.run_id);
  }

  /** Closes the pool the store opened; a pool passed in stays open. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }

  private init(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = null; // Let the next call try again (the server may come back).
      throw error;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const client = await this.pool.connect();
    let isBroken = false;
    try {
      await client.query('BEGIN');
      // IF NOT EXISTS alone is not enough: two processes creating the table at once collide in the
      // catalog ("type already exists", pg_type unique violation). The lock makes them take turns.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('plan_execute_runs'))");
      await client.query(`CREATE TABLE IF NOT EXISTS plan_execute_runs (
        run_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        record JSON NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`);
      await client.query("CREATE INDEX IF NOT EXISTS plan_execute_runs_unfinished ON plan_execute_runs (updated_at) WHERE status = 'running'");
      await client.query('COMMIT');
    } catch (error) {
      // A client whose ROLLBACK fails is unusable: release(true) has the pool discard it.
      isBroken = await client.query('ROLLBACK').then(() => false, () => true);
      throw error;
    } finally {
      client.release(isBroken);
    }
  }
}
