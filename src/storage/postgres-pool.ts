import { Pool } from 'pg';
import { expectInteger, MAX_TIMER_MS } from '../engine/option-checks.ts';

/**
 * Time limits of the connections a PostgreSQL store, cache or fleet client opens, in ms. Every
 * wait on the database has one: a server that is down, says nothing, or holds a lock fails the
 * call, and the engine retries a checkpoint or ends the run `STORE_FAILED`, instead of holding it.
 */
export interface PostgresTimeouts {
  /** Opening a connection, or waiting for a free one of the pool (node-postgres `connectionTimeoutMillis`). @default 10000 */
  readonly connectionTimeoutMs?: number | undefined;
  /**
   * One statement: the server cancels it past this (`statement_timeout`); the client stops waiting
   * for a server that answers nothing a second later (node-postgres `query_timeout`). @default 30000
   */
  readonly statementTimeoutMs?: number | undefined;
  /** A statement's wait for a row or table lock that another session holds (`lock_timeout`). @default 10000 */
  readonly lockTimeoutMs?: number | undefined;
}

/**
 * The defaults of PostgresTimeouts. Each is generous for a working database and still ends a wait
 * that can no longer end well:
 * - connect, 10 s: a reachable server answers in milliseconds, a TLS handshake across regions in
 *   well under a second; after 10 s it is down or its pool is full. pg-boss's own default, so a
 *   fleet has one connect limit.
 * - statement, 30 s: every statement of the stores reads or writes one row by key (or creates a
 *   small table), milliseconds on a loaded server; and no longer than the default run lease
 *   (`leaseMs`), which a checkpoint that slow would have lost anyway.
 * - lock, 10 s: a run's row is locked only while another owner's one-statement write runs
 *   (milliseconds); a lock held for seconds is another session's open transaction (a person in
 *   psql, a stuck job) that a run must not wait out. Below the statement limit, so the error names
 *   the lock.
 */
export const POSTGRES_TIMEOUTS = Object.freeze({ connectionTimeoutMs: 10_000, statementTimeoutMs: 30_000, lockTimeoutMs: 10_000 });

/** How much longer than the server's statement limit the client waits: the server's own error, which says why, comes first. */
const QUERY_TIMEOUT_MARGIN_MS = 1_000;

/** PostgresTimeouts with the defaults filled in; InvalidOptionsError for a value that is not an integer from 1 ms to the longest timer. */
export function resolveTimeouts(timeouts: PostgresTimeouts): { readonly [K in keyof PostgresTimeouts]-?: number } {
  const { connectionTimeoutMs, statementTimeoutMs, lockTimeoutMs } = timeouts;
  expectInteger('connectionTimeoutMs', connectionTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  expectInteger('statementTimeoutMs', statementTimeoutMs, { min: 1, max: MAX_TIMER_MS - QUERY_TIMEOUT_MARGIN_MS });
  expectInteger('lockTimeoutMs', lockTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  return {
    connectionTimeoutMs: connectionTimeoutMs ?? POSTGRES_TIMEOUTS.connectionTimeoutMs,
    statementTimeoutMs: statementTimeoutMs ?? POSTGRES_TIMEOUTS.statementTimeoutMs,
    lockTimeoutMs: lockTimeoutMs ?? POSTGRES_TIMEOUTS.lockTimeoutMs,
  };
}

/**
 * A pool on `connectionString` whose every wait is bounded by `timeouts` (checked first: nothing
 * connects with a bad value). `max`: connections at most (node-postgres's default, 10, when left out).
 */
export function openPool(connectionString: string, timeouts: PostgresTimeouts = {}, { max }: { readonly max?: number } = {}): Pool {
  const { connectionTimeoutMs, statementTimeoutMs, lockTimeoutMs } = resolveTimeouts(timeouts);
  const pool = new Pool({
    connectionString,
    ...(max === undefined ? {} : { max }),
    connectionTimeoutMillis: connectionTimeoutMs,
    // Sent with the connection's startup message: they hold for every statement of the session.
    statement_timeout: statementTimeoutMs,
    lock_timeout: lockTimeoutMs,
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
  });
  // An idle connection dropped by the server emits 'error' on the pool, which would end the
  // process if nobody listened; the pool replaces the connection on the next query.
  pool.on('error', () => {});
  return pool;
}

/** How a store or cache gets its pool: a connection string (and the limits of the pool opened on it), or a pool its caller owns. */
export type PoolSource = ({ readonly connectionString: string } & PostgresTimeouts) | { readonly pool: Pool };

/**
 * The pool of `source` and whether `owner` (the class, named in the error) opened it and so closes
 * it. TypeError for an empty connection string, InvalidOptionsError for a bad time limit.
 */
export function poolOf(owner: string, source: PoolSource): { readonly pool: Pool; readonly ownsPool: boolean } {
  if ('pool' in source) return { pool: source.pool, ownsPool: false };
  const { connectionString, connectionTimeoutMs, statementTimeoutMs, lockTimeoutMs } = source;
  if (!connectionString) throw new TypeError(`${owner} needs a connectionString or a pool; got an empty connectionString`);
  return { pool: openPool(connectionString, { connectionTimeoutMs, statementTimeoutMs, lockTimeoutMs }), ownsPool: true };
}
