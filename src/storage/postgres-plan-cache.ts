import type { Pool } from 'pg';
import { expectInteger } from '../engine/option-checks.ts';
import { DEFAULT_PLAN_CACHE_MAX_ENTRIES, type PlanCache } from '../engine/plan-cache.ts';
import type { Plan } from '../engine/plan-schema.ts';
import { poolOf, type PostgresTimeouts } from './postgres-pool.ts';
import { createTablesLocked } from './postgres-schema.ts';

/** Options of {@link PostgresPlanCache}: a connection string (and the time limits of the pool opened on it, as PostgresRunStore's) or a pool you own, and the bounds. */
export type PostgresPlanCacheOptions = (
  | ({
      /** A PostgreSQL URL; the cache opens (and closes) its own pool. */
      readonly connectionString: string;
    } & PostgresTimeouts)
  | {
      /** A `pg` pool to use (the PostgresRunStore's, for one); `close()` leaves it open. */
      readonly pool: Pool;
    }
) & {
  /** Plans kept at most; storing one more deletes the oldest stored. @default 1000 */
  readonly maxEntries?: number;
  /** The clock, in ms since the epoch (for tests). @default Date.now */
  readonly now?: () => number;
};

const TABLE = 'plan_execute_plan_cache';

/**
 * A PlanCache in PostgreSQL, shared by every process of a fleet: one row per key in
 * `plan_execute_plan_cache` (created on first use), expired rows never read and deleted as plans
 * are stored, at most `maxEntries` rows (the oldest stored go first). Every call is time-limited
 * (PostgresTimeouts); a run counts a failed or slow lookup as a miss.
 * @example new PostgresPlanCache({ connectionString: process.env.DATABASE_URL! })
 */
export class PostgresPlanCache implements PlanCache {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private ready: Promise<void> | null = null;

  /** Throws InvalidOptionsError when `maxEntries` is not a positive integer or a time limit not an integer from 1 ms, TypeError without a connection string or pool. */
  constructor(options: PostgresPlanCacheOptions) {
    const { maxEntries = DEFAULT_PLAN_CACHE_MAX_ENTRIES, now = Date.now } = options;
    expectInteger('maxEntries', maxEntries, { min: 1 });
    this.maxEntries = maxEntries;
    this.now = now;
    ({ pool: this.pool, ownsPool: this.ownsPool } = poolOf('PostgresPlanCache', options));
  }

  async get(key: string): Promise<Plan | null> {
    const rows = await this.query(`SELECT plan::text AS plan FROM ${TABLE} WHERE cache_key = $1 AND expires_at > $2`, [key, this.now()]);
    return rows[0] ? (JSON.parse(String(rows[0].plan)) as Plan) : null;
  }

  async set(key: string, plan: Plan, ttlMs: number): Promise<void> {
    const now = this.now();
    await this.query(
      `INSERT INTO ${TABLE} (cache_key, plan, stored_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (cache_key) DO UPDATE SET plan = excluded.plan, stored_at = excluded.stored_at, expires_at = excluded.expires_at`,
      [key, JSON.stringify(plan), now, now + ttlMs],
    );
    await this.query(`DELETE FROM ${TABLE} WHERE expires_at <= $1`, [now]);
    await this.query(`DELETE FROM ${TABLE} WHERE cache_key IN (SELECT cache_key FROM ${TABLE} ORDER BY stored_at DESC, cache_key OFFSET $1)`, [
      this.maxEntries,
    ]);
  }

  /** Plans stored, expired ones not yet deleted included. */
  async size(): Promise<number> {
    const rows = await this.query(`SELECT count(*)::int AS n FROM ${TABLE}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Closes the pool the cache opened; a pool passed in stays open. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }

  private async query(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    this.ready ??= this.createTable().catch((error: unknown) => {
      this.ready = null; // The next call tries again (the server may come back).
      throw error;
    });
    await this.ready;
    return (await this.pool.query(sql, values)).rows as Record<string, unknown>[];
  }

  private createTable(): Promise<void> {
    return createTablesLocked(this.pool, TABLE, [
      `CREATE TABLE IF NOT EXISTS ${TABLE} (cache_key TEXT PRIMARY KEY, plan JSON NOT NULL, stored_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${TABLE}_stored_at ON ${TABLE} (stored_at)`,
    ]);
  }
}
