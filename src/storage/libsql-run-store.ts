import { createClient, type Client } from '@libsql/client';
import type { RunRecord, RunStore } from '../engine/run-store.ts';

/** Options of {@link LibSQLRunStore}. */
export interface LibSQLRunStoreOptions {
  /** A libsql URL: `file:/abs/path/runs.db` for a local file, or a remote libsql server. */
  readonly url: string;
  /** Auth token for a remote server. */
  readonly authToken?: string;
}

/**
 * A RunStore in a LibSQL (SQLite) database: one row per run, replaced on every checkpoint, so a
 * run survives the process and `resume(runId)` in a new process finishes it.
 * @example const store = new LibSQLRunStore({ url: `file:${process.cwd()}/runs.db` });
 */
export class LibSQLRunStore implements RunStore {
  private readonly client: Client;
  private ready: Promise<void> | null = null;

  constructor({ url, authToken }: LibSQLRunStoreOptions) {
    this.client = createClient(authToken ? { url, authToken } : { url });
  }

  async save(record: RunRecord): Promise<void> {
    await this.init();
    await this.client.execute({
      sql: `INSERT INTO plan_execute_runs (run_id, status, record, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, record = excluded.record, updated_at = excluded.updated_at`,
      args: [record.runId, record.status, JSON.stringify(record), new Date().toISOString()],
    });
  }

  async load(runId: string): Promise<RunRecord | null> {
    await this.init();
    const { rows } = await this.client.execute({ sql: 'SELECT record FROM plan_execute_runs WHERE run_id = ?', args: [runId] });
    const json = rows[0]?.record;
    return typeof json === 'string' ? (JSON.parse(json) as RunRecord) : null;
  }

  /** Ids of the runs that have not ended, oldest first: the ones to resume after a crash. */
  async listUnfinished(): Promise<string[]> {
    await this.init();
    const { rows } = await this.client.execute("SELECT run_id FROM plan_execute_runs WHERE status = 'running' ORDER BY updated_at");
    return rows.map((row) => String(row.run_id));
  }

  /** Closes the connection. */
  close(): void {
    this.client.close();
  }

  private init(): Promise<void> {
    this.ready ??= this.client
      .execute('CREATE TABLE IF NOT EXISTS plan_execute_runs (run_id TEXT PRIMARY KEY, status TEXT NOT NULL, record TEXT NOT NULL, updated_at TEXT NOT NULL)')
      .then(() => undefined);
    return this.ready;
  }
}
