import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isPlanExecuteError, type RunLockedError, StoreFailedError } from './errors.ts';
import { sleep } from './retry-delay.ts';
import type { LeasedRunStore, RunRecord, StoredRun } from './run-store.ts';
import { withTimeLimit } from './time-limit.ts';

/** Writes tried per checkpoint before the run ends with STORE_FAILED (the first included). */
export const CHECKPOINT_ATTEMPTS = 4;
/** Pause before the n-th retry of a checkpoint: 50, 200, 800 ms. */
const retryPauseMs = (retry: number) => 50 * 4 ** (retry - 1);
/** How often a waiting resumer asks again for a held lease. */
const WAIT_POLL_MS = 250;

const HOST = hostname();

/** Why a store call was given up on: no answer within `timeoutMs` (the run's `leaseMs`). The cause of a StoreFailedError. */
export function storeTimeoutError(call: string, timeoutMs: number): Error {
  return new Error(`The run store's ${call} gave no answer within ${timeoutMs} ms (leaseMs)`);
}

/**
 * Settles like the store call `promise`, or rejects with storeTimeoutError once `timeoutMs` (the
 * run's `leaseMs`) pass: a call slower than the lease counts as a failed one (retried, then
 * STORE_FAILED), since the lease it guards may have run out meanwhile (renewals wait for a write).
 * The call itself is not stopped; a late write is refused by its fence.
 */
function withStoreTimeLimit<T>(call: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  return withTimeLimit(promise, timeoutMs, () => storeTimeoutError(call, timeoutMs));
}

/** Renewals sent and never answered after which no more are sent (see LeaseKeeper.renewOnce). */
const MAX_PENDING_RENEWALS = 2;

/** What a lease is taken with: the run's lease settings. */
export interface LeaseSettings {
  readonly leaseMs: number;
  readonly leaseWaitMs: number;
}

/** Keepers holding a lease in this process, by owner: a holder here that is not among them has let its lease go. */
const liveKeepers = new Map<string, LeaseKeeper>();

/** A new owner id, `host:pid:random`, so that a holder that died on this host can be recognised. */
function newOwnerId(): string {
  return `${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Holds one run's lease for one owner: fenced writes with bounded retries, renewal every third
 * of the lease for as long as it is held (an unref'd timer that stops at release, at the run's
 * end and when the lease is lost; never a second renewal while one is in flight), and the
 * knowledge of whether the lease was lost. Every store call gives up after the lease's length.
 */
export class LeaseKeeper {
  private version: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lostError: RunLockedError | null = null;
  private writing = 0;
  private renewing = false;
  private lastLanded: RunRecord | null = null;
  private pendingRenewals = 0;

  constructor(
    private readonly store: LeasedRunStore,
    readonly runId: string,
    readonly owner: string,
    version: number,
    private readonly ttlMs: number,
  ) {
    this.version = version;
    liveKeepers.set(owner, this);
    this.keepRenewing();
  }

  /** Why the lease is gone (another owner took the run); null while it is held. */
  get lost(): RunLockedError | null {
    return this.lostError;
  }

  /**
   * Writes `record` fenced by the version last seen; a store error, or no answer within the
   * lease's length, is retried up to CHECKPOINT_ATTEMPTS writes in all, then StoreFailedError —
   * after the first once `signal` (the run's) has fired. RunLockedError when the run was taken.
   */
  async write(record: RunRecord, signal?: AbortSignal): Promise<void> {
    if (this.lostError) throw this.lostError;
    this.writing++;
    try {
      this.version = await this.writeWithRetries(record, signal);
      if (record.status !== 'running') this.stop();
      else this.keepRenewing();
    } finally {
      this.writing--;
    }
  }

  /** Stops renewing and gives the lease up (best effort: it runs out anyway). */
  async release(): Promise<void> {
    this.stop();
    if (this.lostError) return;
    const released = this.store.release(this.runId, { owner: this.owner, version: this.version });
    await withStoreTimeLimit('release', released, this.ttlMs).catch(() => undefined);
  }

  private async writeWithRetries(record: RunRecord, signal: AbortSignal | undefined): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const sent = this.version;
      try {
        const written = this.store.write(record, { owner: this.owner, version: sent }, this.ttlMs);
        // A write given up on (no answer within the lease) may still land: its version is then the one to write on.
        written.then(
          (landed) => this.landed(record, landed),
          () => undefined,
        );
        return await withStoreTimeLimit('write', written, this.ttlMs);
      } catch (error) {
        if (isPlanExecuteError(error, 'RUN_LOCKED') && error.owner === this.owner) {
          // Refused with the lease still ours: a write of ours landed late (only the holder writes).
          if (this.lastLanded === record) return this.version;
          if (this.version !== sent && attempt < CHECKPOINT_ATTEMPTS) continue;
          if (attempt > 1) return this.version + 1;
        }
        if (isPlanExecuteError(error, 'RUN_LOCKED')) {
          this.lostError = error;
          this.stop();
          throw error;
        }
        // A cancelled run only ends now: its final record follows at once, so this one is not tried again.
        if (attempt >= CHECKPOINT_ATTEMPTS || signal?.aborted) throw new StoreFailedError(this.runId, attempt, error);
        await sleep(retryPauseMs(attempt));
      }
    }
  }

  /** How often the lease is renewed, and how long one renewal is waited for: a third of it. */
  private get renewEveryMs(): number {
    return Math.max(1, Math.floor(this.ttlMs / 3));
  }

  /** A write of ours that landed, whether or not anyone still waited for it. */
  private landed(record: RunRecord, version: number): void {
    if (version <= this.version) return;
    this.version = version;
    this.lastLanded = record;
  }

  private keepRenewing(): void {
    if (this.timer || this.lostError) return;
    this.timer = setInterval(() => this.renewOnce(), this.renewEveryMs);
    // A lease never keeps the process alive.
    this.timer.unref();
  }

  /**
   * Starts a renewal unless one is being waited for, a write renews the lease itself, or
   * MAX_PENDING_RENEWALS sent ones never answered (a store that hangs must not collect a query per
   * tick; one stuck connection must not stop the renewals that would get through on another).
   */
  private renewOnce(): void {
    if (this.renewing || this.writing > 0 || this.pendingRenewals >= MAX_PENDING_RENEWALS) return;
    this.renewing = true;
    void this.renew().finally(() => {
      this.renewing = false;
    });
  }

  private async renew(): Promise<void> {
    try {
      // Waited for one tick at most: a renewal that hangs must not keep the next one from starting.
      this.pendingRenewals++;
      const renewed = this.store.renew(this.runId, { owner: this.owner, version: this.version }, this.ttlMs);
      const answered = () => {
        this.pendingRenewals--;
      };
      renewed.then(answered, answered);
      await withStoreTimeLimit('renew', renewed, this.renewEveryMs);
    } catch (error) {
      // A store hiccup is tried again at the next tick; a lost lease is final.
      // Refused because a checkpoint of ours moved the version on meanwhile: still ours, nothing lost.
      if (isPlanExecuteError(error, 'RUN_LOCKED') && error.owner === this.owner) return;
      if (isPlanExecuteError(error, 'RUN_LOCKED')) {
        this.lostError ??= error;
        this.stop();
      }
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (liveKeepers.get(this.owner) === this) liveKeepers.delete(this.owner);
  }
}

/**
 * Stores a new run under a fresh lease; null when `record.runId` is already stored. A store error,
 * or no answer within `leaseMs`, is tried again like a checkpoint (CHECKPOINT_ATTEMPTS in all;
 * none more once `signal` fired), then StoreFailedError.
 */
export async function createLeased(store: LeasedRunStore, record: RunRecord, settings: LeaseSettings, signal?: AbortSignal): Promise<LeaseKeeper | null> {
  const request = { owner: newOwnerId(), ttlMs: settings.leaseMs };
  const stored = await withStoreRetries(record.runId, signal, async (attempt) => {
    const created = await withStoreTimeLimit('create', store.create(record, request), settings.leaseMs);
    // A retry that finds the run stored may have found our own earlier try, landed with its answer lost.
    return created || attempt === 1 ? created : reclaimCreated(store, record, request);
  });
  return stored && new LeaseKeeper(store, record.runId, request.owner, stored.version, settings.leaseMs);
}

/** The run `record` as stored by an earlier `create` of `request.owner` whose answer was lost; null when it is another's. */
async function reclaimCreated(store: LeasedRunStore, record: RunRecord, request: { owner: string; ttlMs: number }): Promise<StoredRun | null> {
  const stored = await withStoreTimeLimit('acquire', store.acquire(record.runId, request), request.ttlMs).catch((error: unknown) => {
    if (isPlanExecuteError(error, 'RUN_LOCKED')) return null;
    throw error;
  });
  if (stored?.record.status !== 'running') return null;
  if (JSON.stringify(stored.record) === JSON.stringify(record)) return stored;
  // Someone else's run whose lease was free: give it back untouched.
  await withStoreTimeLimit('release', store.release(record.runId, { owner: request.owner, version: stored.version }), request.ttlMs);
  return null;
}

/**
 * Runs a lease request again after a store error, CHECKPOINT_ATTEMPTS tries in all (no more once
 * `signal` fired), then StoreFailedError. A PlanExecuteError (RUN_LOCKED above all) is the
 * store's answer: not retried.
 */
async function withStoreRetries<T>(runId: string, signal: AbortSignal | undefined, operation: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (isPlanExecuteError(error)) throw error;
      if (attempt >= CHECKPOINT_ATTEMPTS || signal?.aborted) throw new StoreFailedError(runId, attempt, error);
      await sleep(retryPauseMs(attempt));
    }
  }
}

/**
 * Takes the lease of a stored run: at once when it is free or its holder is gone (dead on this
 * host, or released in this process), else waiting up to `leaseWaitMs` for it (not after `signal`
 * fired), else RunLockedError. Null when there is no such run; an ended run comes back with no
 * keeper. Store calls are bounded and retried as `createLeased`'s.
 */
export async function acquireLeased(
  store: LeasedRunStore,
  runId: string,
  settings: LeaseSettings,
  signal?: AbortSignal,
): Promise<{ stored: StoredRun; keeper: LeaseKeeper | null } | null> {
  const owner = newOwnerId();
  const waitUntil = Date.now() + settings.leaseWaitMs;
  let replacing: string | null = null;
  for (;;) {
    try {
      const request = { owner, ttlMs: settings.leaseMs, replacing };
      const stored = await withStoreRetries(runId, signal, () => withStoreTimeLimit('acquire', store.acquire(runId, request), settings.leaseMs));
      if (!stored) return null;
      if (stored.record.status !== 'running') return { stored, keeper: null };
      return { stored, keeper: new LeaseKeeper(store, runId, owner, stored.version, settings.leaseMs) };
    } catch (error) {
      if (!isPlanExecuteError(error, 'RUN_LOCKED') || error.owner === null) throw error;
      if (error.owner !== replacing && isGone(error.owner)) {
        replacing = error.owner;
        continue;
      }
      if (Date.now() >= waitUntil || signal?.aborted) throw error;
      await sleep(Math.min(WAIT_POLL_MS, waitUntil - Date.now()));
    }
  }
}

/** Whether a holder can no longer be using its lease: its process on this host has died, or it is of this process and let the lease go. */
function isGone(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== HOST || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !liveKeepers.has(owner);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists (another user's): alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
