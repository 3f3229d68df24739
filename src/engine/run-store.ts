import { RunLockedError } from './errors.ts';
import type { StepFailure } from './policy.ts';
import type { PlanRunResult, RunStatus, RunWarning, StepResult } from './result.ts';
import type { TrackerSnapshot } from './tracker.ts';
import type { RunUsage } from './usage.ts';

/** Everything needed to resume a run, written after every step transition; plain JSON. */
export interface RunRecord {
  /** Record format version. */
  readonly version: 1;
  /** The run's id. */
  readonly runId: string;
  /** The task as given. */
  readonly task: string;
  /** `running` until the run ends, then its final status. */
  readonly status: 'running' | RunStatus;
  /** When the run first started (ISO 8601). */
  readonly startedAt: string;
  /** The tracker's state; null while no plan was accepted. */
  readonly snapshot: TrackerSnapshot | null;
  /** Every step attempt so far. */
  readonly stepResults: readonly StepResult[];
  /** Tokens spent so far. */
  readonly usage: RunUsage;
  /** Replanner calls made so far. */
  readonly replansUsed: number;
  /** Permanent failures not yet handled (replan, skip, abort or fail). */
  readonly pendingFailures: readonly StepFailure[];
  /** Repairs counted so far (absent in records written by 0.1). */
  readonly repairs?: Readonly<Record<string, number>>;
  /** Warnings raised so far (absent in records written by 0.1). */
  readonly warnings?: readonly RunWarning[];
  /** True while the plan waits for approval (a workflow suspended at `approve`); absent otherwise. */
  readonly awaitingApproval?: boolean;
  /** The result, once the run ended. */
  readonly result: PlanRunResult | null;
}

/** Who holds a run, and until when unless renewed. */
export interface RunLease {
  /** The holder's id (`host:pid:random` for the engine's own owners). */
  readonly owner: string;
  /** When the lease runs out (ISO 8601). */
  readonly expiresAt: string;
}

/** A stored run with its row version (bumped by every write and every lease taken) and its lease. */
export interface StoredRun {
  /** The record. */
  readonly record: RunRecord;
  /** The row version a fenced write must name. */
  readonly version: number;
  /** The current lease; null when none is held (free, released, or the run ended). */
  readonly lease: RunLease | null;
}

/** A request for a run's lease. */
export interface LeaseRequest {
  /** Who asks. */
  readonly owner: string;
  /** How long the lease lasts from now unless renewed, in ms. */
  readonly ttlMs: number;
  /** An owner whose unexpired lease may be taken over (a holder known to be dead or idle). */
  readonly replacing?: string | null | undefined;
}

/** What a fenced write or a renewal names: the holder and the version it last saw. */
export interface Fence {
  /** The holder. */
  readonly owner: string;
  /** The row version the holder last wrote or acquired. */
  readonly version: number;
}

/**
 * Where runs are checkpointed; implement it over any database. Writes for one run arrive in order.
 *
 * `load` and `save` are the 0.1 contract and stay for compatibility and tooling. A store that also
 * implements the lease methods (`create`, `acquire`, `write`, `renew`, `release`; all five or none)
 * gives one owner per run: the engine then never calls `save`, takes a lease before running,
 * and every checkpoint is a compare-and-set on the row version. Each method must be atomic in the
 * database (one statement or one transaction), never a process-local lock. A store without them
 * runs unfenced: two resumers of one run may both execute it.
 */
export interface RunStore {
  /** Creates or replaces the record of `record.runId`, unfenced: clears any lease and bumps the version. */
  save(record: RunRecord): Promise<void>;
  /** The record of `runId`, or null when there is none. */
  load(runId: string): Promise<RunRecord | null>;
  /** Stores a new run leased to `request.owner` at version 1; null when `runId` is already stored. */
  create?(record: RunRecord, request: LeaseRequest): Promise<StoredRun | null>;
  /**
   * Takes the lease of a running run: when it is free, expired, already the asker's, or held by
   * `request.replacing`; bumps the version. An ended run comes back as it is, its lease untouched.
   * Null when there is no such run; throws RunLockedError (owner, expiry) when another holds it.
   */
  acquire?(runId: string, request: LeaseRequest): Promise<StoredRun | null>;
  /**
   * Replaces the record when `fence` still holds (same owner, same version, the run still
   * running) and resolves to the new version; the lease is renewed for `ttlMs`, and released when
   * the record has ended. Throws RunLockedError otherwise, writing nothing.
   */
  write?(record: RunRecord, fence: Fence, ttlMs: number): Promise<number>;
  /** Extends the lease by `ttlMs` from now when `fence` still holds; throws RunLockedError otherwise. */
  renew?(runId: string, fence: Fence, ttlMs: number): Promise<RunLease>;
  /** Gives the lease up when `fence.owner` holds it; does nothing otherwise. */
  release?(runId: string, fence: Fence): Promise<void>;
}

/** A store with the five lease methods. */
export type LeasedRunStore = RunStore & Required<Pick<RunStore, 'create' | 'acquire' | 'write' | 'renew' | 'release'>>;

/** Whether `store` implements leases and fenced writes. */
export function hasLeases(store: RunStore): store is LeasedRunStore {
  return ['create', 'acquire', 'write', 'renew', 'release'].every((name) => typeof (store as unknown as Record<string, unknown>)[name] === 'function');
}

interface MemoryRow {
  readonly json: string;
  readonly version: number;
  readonly owner: string | null;
  readonly expiresAt: number;
}

/** A RunStore in memory, with leases, for tests and single-process use. */
export class InMemoryRunStore implements LeasedRunStore {
  private readonly rows = new Map<string, MemoryRow>();

  async save(record: RunRecord): Promise<void> {
    this.rows.set(record.runId, { json: JSON.stringify(record), version: (this.rows.get(record.runId)?.version ?? 0) + 1, owner: null, expiresAt: 0 });
  }

  async load(runId: string): Promise<RunRecord | null> {
    const row = this.rows.get(runId);
    return row === undefined ? null : (JSON.parse(row.json) as RunRecord);
  }

  async create(record: RunRecord, request: LeaseRequest): Promise<StoredRun | null> {
    if (this.rows.has(record.runId)) return null;
    this.rows.set(record.runId, { json: JSON.stringify(record), version: 1, owner: request.owner, expiresAt: Date.now() + request.ttlMs });
    return this.stored(record.runId);
  }

  async acquire(runId: string, request: LeaseRequest): Promise<StoredRun | null> {
    const row = this.rows.get(runId);
    if (!row) return null;
    if (isEnded(row)) return this.stored(runId);
    const free = row.owner === null || row.expiresAt <= Date.now() || row.owner === request.owner || row.owner === request.replacing;
    if (!free) throw new RunLockedError(runId, row.owner, new Date(row.expiresAt).toISOString());
    this.rows.set(runId, { ...row, version: row.version + 1, owner: request.owner, expiresAt: Date.now() + request.ttlMs });
    return this.stored(runId);
  }

  async write(record: RunRecord, fence: Fence, ttlMs: number): Promise<number> {
    const row = this.fenced(record.runId, fence);
    const ended = record.status !== 'running';
    this.rows.set(record.runId, {
      json: JSON.stringify(record),
      version: row.version + 1,
      owner: ended ? null : fence.owner,
      expiresAt: ended ? 0 : Date.now() + ttlMs,
    });
    return row.version + 1;
  }

  async renew(runId: string, fence: Fence, ttlMs: number): Promise<RunLease> {
    const row = this.fenced(runId, fence);
    this.rows.set(runId, { ...row, expiresAt: Date.now() + ttlMs });
    return { owner: fence.owner, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
  }

  async release(runId: string, fence: Fence): Promise<void> {
    const row = this.rows.get(runId);
    if (row && row.owner === fence.owner) this.rows.set(runId, { ...row, owner: null, expiresAt: 0 });
  }

  private fenced(runId: string, fence: Fence): MemoryRow {
    const row = this.rows.get(runId);
    if (row && !isEnded(row) && row.owner === fence.owner && row.version === fence.version) return row;
    const holder = row && !isEnded(row) && row.owner !== null;
    throw new RunLockedError(runId, holder ? row.owner : null, holder ? new Date(row.expiresAt).toISOString() : null, 'the checkpoint was refused');
  }

  private stored(runId: string): StoredRun {
    const row = this.rows.get(runId)!;
    const lease = row.owner === null ? null : { owner: row.owner, expiresAt: new Date(row.expiresAt).toISOString() };
    return { record: JSON.parse(row.json) as RunRecord, version: row.version, lease };
  }
}

const isEnded = (row: MemoryRow) => (JSON.parse(row.json) as RunRecord).status !== 'running';
