import { RunLockedError } from '../engine/errors.ts';
import type { RunRecord, StoredRun } from '../engine/run-store.ts';

/** The lease columns of a `plan_execute_runs` row as a store reads them back. */
export interface LeaseRow {
  readonly record: string;
  readonly status: string;
  readonly version: number;
  readonly leaseOwner: string | null;
  /** Epoch milliseconds; 0 when no lease is held. */
  readonly leaseExpiresAt: number;
}

/** A row as a StoredRun. */
export function toStoredRun(row: LeaseRow): StoredRun {
  const lease = row.leaseOwner === null ? null : { owner: row.leaseOwner, expiresAt: new Date(row.leaseExpiresAt).toISOString() };
  return { record: JSON.parse(row.record) as RunRecord, version: row.version, lease };
}

/** Why a fenced write or a lease request was refused, from the row as it is now (undefined: no such run). */
export function refusal(runId: string, row: LeaseRow | undefined, reason?: string): RunLockedError {
  const held = row !== undefined && row.status === 'running' && row.leaseOwner !== null;
  const why = reason ?? (row === undefined ? 'the run is not stored' : row.status !== 'running' ? `the run has ended (${row.status})` : undefined);
  return new RunLockedError(runId, held ? row.leaseOwner : null, held ? new Date(row.leaseExpiresAt).toISOString() : null, why);
}

/**
 * What `acquire` answers once its conditional update ran: the run as `taken`, else (the update
 * matched nothing) null when there is no such run, the run as it is when it has ended, or a
 * RunLockedError naming the holder.
 */
export async function acquireOutcome(runId: string, taken: LeaseRow | undefined, current: () => Promise<LeaseRow | undefined>): Promise<StoredRun | null> {
  if (taken) return toStoredRun(taken);
  const row = await current();
  if (!row) return null;
  if (row.status !== 'running') return toStoredRun(row);
  throw refusal(runId, row);
}

/** Whether a store error is a transient lock conflict worth another try. */
export function isBusyError(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: unknown }).code ?? ''} ${error.message}` : String(error);
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(text);
}
