import type { InStatement, ResultSet, Row } from '@libsql/client';
import type { Fence, LeasedRunStore, LeaseRequest, RunLease, RunRecord, StoredRun } from '../engine/run-store.ts';
import { acquireOutcome, isBusyError, type LeaseRow, refusal, toStoredRun } from './lease-rows.ts';
import { openConnections, type LibSQLConnections } from './libsql-connections.ts';

/** How long SQLite waits for another connection's write lock before SQLITE_BUSY (Mastra's LibSQLStore uses 5 s too). */
const BUSY_TIMEOUT_MS = 5_000;
/** Statements tried when SQLite still answers SQLITE_BUSY after its busy timeout. */
const BUSY_ATTEMPTS = 3;

/** Options of {@link LibSQLRunStore}. */
export interface LibSQLRunStoreOptions {
  /** A libsql URL: `file:/abs/path/runs.db` for a local file, or a remote libsql server. */
  readonly url: string;
  /** Auth token for a remote server. */
  readonly authToken?: string;
  /** How long a statement on a local file waits for another connection's lock before SQLITE_BUSY, in ms. @default 5000 */
  readonly busyTimeoutMs?: number;
}

const COLUMNS = 'record, status, version, lease_owner, lease_expires_at';

/**
 * A RunStore in a LibSQL (SQLite) database: one row per run with a version and a lease, so a run
 * survives the process, `resume(runId)` in a new process finishes it, and two processes never run
 * it at once. Local files use WAL and a 5 s busy timeout; every fenced write and lease change is
 * one compare-and-set statement. A failed `init()` is tried again on the next call.
 * @example const store = new LibSQLRunStore({ url: `file:${process.cwd()}/runs.db` });
 */
export class LibSQLRunStore implements LeasedRunStore {
  private readonly connections: LibSQLConnections;
  private readonly isLocal: boolean;
  private ready: Promise<void> | null = null;

  constructor({ url, authToken, busyTimeoutMs = BUSY_TIMEOUT_MS }: LibSQLRunStoreOptions) {
    // The busy timeout is given to every connection opened (a `PRAGMA busy_timeout` reaches only one).
    this.connections = openConnections(url, { authToken, busyTimeoutMs });
    this.isLocal = url.startsWith('file:');
  }

  async save(record: RunRecord): Promise<void> {
    await this.run({
      sql: `INSERT INTO plan_execute_runs (run_id, status, record, updated_at, version, lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, 1, NULL, 0)
            ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, record = excluded.record, updated_at = excluded.updated_at,
              version = plan_execute_runs.version + 1, lease_owner = NULL, lease_expires_at = 0`,
      args: [record.runId, record.status, JSON.stringify(record), new Date().toISOString()],
    });
  }

  async load(runId: string): Promise<RunRecord | null> {
    const row = await this.row(runId);
    return row ? (JSON.parse(row.record) as RunRecord) : null;
  }

  async create(record: RunRecord, { owner, ttlMs }: LeaseRequest): Promise<StoredRun | null> {
    const { rowsAffected } = await this.run({
      sql: `INSERT INTO plan_execute_runs (run_id, status, record, updated_at, version, lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (run_id) DO NOTHING`,
      args: [record.runId, record.status, JSON.stringify(record), new Date().toISOString(), owner, Date.now() + ttlMs],
    });
    return rowsAffected === 0 ? null : toStoredRun((await this.row(record.runId))!);
  }

  async acquire(runId: string, { owner, ttlMs, replacing = null }: LeaseRequest): Promise<StoredRun | null> {
    const now = Date.now();
    const { rows } = await this.run({
      sql: `UPDATE plan_execute_runs SET version = version + 1, lease_owner = ?, lease_expires_at = ?
            WHERE run_id = ? AND status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= ? OR lease_owner = ? OR lease_owner = ?)
            RETURNING ${COLUMNS}`,
      args: [owner, now + ttlMs, runId, now, owner, replacing],
    });
    return acquireOutcome(runId, rows[0] && toLeaseRow(rows[0]), () => this.row(runId));
  }

  async write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    const ended = record.status !== 'running';
    const { rowsAffected } = await this.run({
      sql: `UPDATE plan_execute_runs SET status = ?, record = ?, updated_at = ?, version = version + 1, lease_owner = ?, lease_expires_at = ?
            WHERE run_id = ? AND version = ? AND lease_owner = ? AND status = 'running'`,
      args: [
        record.status,
        JSON.stringify(record),
        new Date().toISOString(),
        ended ? null : fence.owner,
        ended ? 0 : Date.now() + ttlMs,
        record.runId,
        fence.version,
        fence.owner,
      ],
    });
    if (rowsAffected === 1) return fence.version + 1;
    throw refusal(record.runId, await this.row(record.runId), 'the checkpoint was refused');
  }

  async renew(runId: string, fence: Fence, ttlMs: number): Promise<RunLease> {
    const expiresAt = Date.now() + ttlMs;
    const { rowsAffected } = await this.run({
      sql: "UPDATE plan_execute_runs SET lease_expires_at = ? WHERE run_id = ? AND version = ? AND lease_owner = ? AND status = 'running'",
      args: [expiresAt, runId, fence.version, fence.owner],
    });
    if (rowsAffected === 1) return { owner: fence.owner, expiresAt: new Date(expiresAt).toISOString() };
    throw refusal(runId, await this.row(runId), 'the lease could not be renewed');
  }

  async release(runId: string, fence: Fence): Promise<void> {
    await this.run({
      sql: 'UPDATE plan_execute_runs SET lease_owner = NULL, lease_expires_at = 0 WHERE run_id = ? AND lease_owner = ?',
      args: [runId, fence.owner],
    });
  }

  /** Ids of the runs that have not ended, oldest first: the ones to resume after a crash. */
  async listUnfinished(): Promise<string[]> {
    const { rows } = await this.run("SELECT run_id FROM plan_execute_runs WHERE status = 'running' ORDER BY updated_at");
    return rows.map((row) => String(row.run_id));
  }

  /** Closes the connections. */
  close(): void {
    this.connections.close();
  }

  private async row(runId: string): Promise<LeaseRow | undefined> {
    const { rows } = await this.run({ sql: `SELECT ${COLUMNS} FROM plan_execute_runs WHERE run_id = ?`, args: [runId] });
    return rows[0] && toLeaseRow(rows[0]);
  }

  /** One statement after init; SQLITE_BUSY past the busy timeout is tried again a few times. */
  private async run(statement: InStatement): Promise<ResultSet> {
    await this.init();
    return withBusyRetries(() => this.connections.execute(statement));
  }

  private init(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = null; // Let the next call try again: a locked file or a server down is often brief.
      throw error;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const execute = (sql: string) => withBusyRetries(() => this.connections.execute(sql));
    // WAL is a property of the file: set once, every connection of every process uses it.
    if (this.isLocal) {
      await execute('PRAGMA journal_mode = WAL');
    }
    await execute(
      'CREATE TABLE IF NOT EXISTS plan_execute_runs (run_id TEXT PRIMARY KEY, status TEXT NOT NULL, record TEXT NOT NULL, updated_at TEXT NOT NULL)',
    );
    const { rows } = await execute('PRAGMA table_info(plan_execute_runs)');
    const present = new Set(rows.map((row) => String(row.name)));
    // Tables written by 0.1 lack the lease columns.
    for (const [name, definition] of [
      ['version', 'INTEGER NOT NULL DEFAULT 0'],
      ['lease_owner', 'TEXT'],
      ['lease_expires_at', 'INTEGER NOT NULL DEFAULT 0'],
    ] as const) {
      if (!present.has(name)) await execute(`ALTER TABLE plan_execute_runs ADD COLUMN ${name} ${definition}`).catch(ignoreDuplicateColumn);
    }
  }
}

function toLeaseRow(row: Row): LeaseRow {
  const owner = row.lease_owner;
  return {
    record: String(row.record),
    status: String(row.status),
    version: Number(row.version),
    leaseOwner: owner === null ? null : String(owner),
    leaseExpiresAt: Number(row.lease_expires_at),
  };
}

async function withBusyRetries<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= BUSY_ATTEMPTS || !isBusyError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Another process added the column between our look and our ALTER. */
function ignoreDuplicateColumn(error: unknown): void {
  if (!/duplicate column/i.test(String(error))) throw error;
}
