import { expectInteger } from '../engine/option-checks.ts';
import { DEFAULT_PLAN_CACHE_MAX_ENTRIES, type PlanCache } from '../engine/plan-cache.ts';
import type { Plan } from '../engine/plan-schema.ts';
import { openConnections, type LibSQLConnections } from './libsql-connections.ts';

/** Options of {@link LibSQLPlanCache}. */
export interface LibSQLPlanCacheOptions {
  /** A libsql URL: `file:/abs/path/runs.db` (the run store's file may be shared), or a remote libsql server. */
  readonly url: string;
  /** Auth token for a remote server. */
  readonly authToken?: string;
  /** Plans kept at most; storing one more deletes the oldest stored. @default 1000 */
  readonly maxEntries?: number;
  /** How long a statement waits for another connection's lock, in ms. @default 5000 */
  readonly busyTimeoutMs?: number;
  /** The clock, in ms since the epoch (for tests). @default Date.now */
  readonly now?: () => number;
}

const TABLE = 'plan_execute_plan_cache';

/**
 * A PlanCache in a LibSQL (SQLite) database, beside the LibSQLRunStore's table or in its own file:
 * one row per key in `plan_execute_plan_cache` (created on first use), expired rows never read
 * and deleted as plans are stored, and at most `maxEntries` rows (the oldest stored go first).
 * @example new PlanAndExecute({ ..., planCache: new LibSQLPlanCache({ url: `file:${process.cwd()}/runs.db` }) })
 */
export class LibSQLPlanCache implements PlanCache {
  private readonly connections: LibSQLConnections;
  private readonly isLocal: boolean;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private ready: Promise<void> | null = null;

  /** Throws InvalidOptionsError when `maxEntries` is not a positive integer. */
  constructor({ url, authToken, maxEntries = DEFAULT_PLAN_CACHE_MAX_ENTRIES, busyTimeoutMs = 5_000, now = Date.now }: LibSQLPlanCacheOptions) {
    expectInteger('maxEntries', maxEntries, { min: 1 });
    this.connections = openConnections(url, { authToken, busyTimeoutMs });
    this.isLocal = url.startsWith('file:');
    this.maxEntries = maxEntries;
    this.now = now;
  }

  async get(key: string): Promise<Plan | null> {
    await this.init();
    const { rows } = await this.connections.execute({ sql: `SELECT plan FROM ${TABLE} WHERE cache_key = ? AND expires_at > ?`, args: [key, this.now()] });
    return rows[0] ? (JSON.parse(String(rows[0].plan)) as Plan) : null;
  }

  async set(key: string, plan: Plan, ttlMs: number): Promise<void> {
    await this.init();
    const now = this.now();
    await this.connections.execute({
      sql: `INSERT INTO ${TABLE} (cache_key, plan, stored_at, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (cache_key) DO UPDATE SET plan = excluded.plan, stored_at = excluded.stored_at, expires_at = excluded.expires_at`,
      args: [key, JSON.stringify(plan), now, now + ttlMs],
    });
    await this.connections.execute({ sql: `DELETE FROM ${TABLE} WHERE expires_at <= ?`, args: [now] });
    await this.connections.execute({
      sql: `DELETE FROM ${TABLE} WHERE cache_key IN (SELECT cache_key FROM ${TABLE} ORDER BY stored_at DESC, cache_key LIMIT -1 OFFSET ?)`,
      args: [this.maxEntries],
    });
  }

  /** Plans stored, expired ones not yet deleted included. */
  async size(): Promise<number> {
    await this.init();
    const { rows } = await this.connections.execute(`SELECT count(*) AS n FROM ${TABLE}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Closes the connections. */
  close(): void {
    this.connections.close();
  }

  private init(): Promise<void> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = null; // The next call tries again.
      throw error;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    if (this.isLocal) await this.connections.execute('PRAGMA journal_mode = WAL');
    await this.connections.execute(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (cache_key TEXT PRIMARY KEY, plan TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
    );
    await this.connections.execute(`CREATE INDEX IF NOT EXISTS ${TABLE}_stored_at ON ${TABLE} (stored_at)`);
  }
}
