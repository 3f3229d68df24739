import { randomUUID } from 'node:crypto';
import { raceAbort, throwIfCancelled } from './abort.ts';
import {
  BudgetExceededError,
  CallTimeoutError,
  isPlanExecuteError,
  isRetryableError,
  isRunEndingError,
  type ModelCallRole,
  type PlanExecuteError,
  type PlanExecuteErrorCode,
  StoreFailedError,
} from './errors.ts';
import type { EarlySteps } from './early-steps.ts';
import { notify, type PlanRunEventInput } from './events.ts';
import type { PlanStep } from './plan-schema.ts';
import type { StepFailure } from './policy.ts';
import type { RoleReply } from './ports.ts';
import type { PlanRunResult, RunStatus, RunWarning, StepResult } from './result.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { retryDelayMs, sleep } from './retry-delay.ts';
import type { RunPlanInput } from './run-input.ts';
import type { RunRecord } from './run-store.ts';
import { countCrashes } from './crash-restarts.ts';
import { type LeaseKeeper, storeTimeoutError } from './run-lease.ts';
import { yieldToEventLoop, timeLimit, withTimeLimit } from './time-limit.ts';
import { PlanTracker } from './tracker.ts';
import { UsageMeter, ZERO_USAGE, type ModelRole, type TokenUsage } from './usage.ts';

/** Thrown inside a run to end it with a status other than `completed`; never escapes the drivers. */
export class RunEnd extends Error {
  constructor(
    readonly status: Exclude<RunStatus, 'completed'>,
    readonly error: PlanExecuteError,
  ) {
    super(error.message);
    this.name = 'RunEnd';
  }
}

/** The usage bucket of each calling role: the replanner is the planner's model. */
const USAGE_ROLE: Readonly<Record<ModelCallRole, ModelRole>> = { planner: 'planner', replanner: 'planner', executor: 'executor', synthesizer: 'synthesizer' };

/** Codes of errors that model adapters report about a call (a plain-code role's errors are not model calls). */
const MODEL_ERROR_CODES = ['MODEL_OUTPUT_INVALID', 'MODEL_CALL_FAILED', 'MODEL_REQUEST_REJECTED', 'MODEL_UNAVAILABLE', 'CALL_TIMEOUT'] as const;

/** The state of one run shared by its phases: tracker, usage, attempts, events. */
export class RunContext {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly meter: UsageMeter;
  readonly stepResults: StepResult[];
  readonly startedAt: number;
  replansUsed: number;
  /** Permanent failures waiting to be handled, oldest first; checkpointed with the run. */
  readonly pendingFailures: StepFailure[];
  /** Near misses the tolerant reader fixed, counted by kind. */
  readonly repairs: Record<string, number>;
  /** Warnings raised so far (a step that named a tool and made no tool call). */
  readonly warnings: RunWarning[];
  /** The plan is tracked but not approved yet (the workflow suspended for approval); stored with the run. */
  awaitingApproval: boolean;
  /** Steps started while the planner was writing (`streamPlan`), until the run takes or drops them; never stored. */
  earlySteps: EarlySteps | null = null;
  private trackerValue: PlanTracker | null = null;
  private saving: Promise<unknown> = Promise.resolve();
  private redactor: Redactor | null = null;

  /** The run's input. */
  readonly input: Omit<RunPlanInput, 'task'>;
  private lease: LeaseKeeper | null = null;

  /**
   * A new run, or one carried on from a stored record: steps it left in progress were cut off by a
   * crash and are counted as such (back to pending, or failed for good after `maxCrashRestarts`).
   */
  constructor(
    input: Omit<RunPlanInput, 'task'>,
    readonly task: string,
    record?: RunRecord,
    lease: LeaseKeeper | null = null,
  ) {
    this.input = input;
    if (lease) this.holdLease(lease);
    this.runId = record?.runId ?? input.runId ?? randomUUID();
    this.signal = input.abortSignal ?? new AbortController().signal;
    this.meter = new UsageMeter(record?.usage);
    this.stepResults = [...(record?.stepResults ?? [])];
    this.startedAt = record ? Date.parse(record.startedAt) : Date.now();
    this.replansUsed = record?.replansUsed ?? 0;
    this.pendingFailures = [...(record?.pendingFailures ?? [])];
    this.repairs = { ...record?.repairs };
    this.warnings = [...(record?.warnings ?? [])];
    this.awaitingApproval = record?.awaitingApproval ?? false;
    if (record?.snapshot) {
      this.trackerValue = PlanTracker.restore(record.snapshot);
      this.pendingFailures.push(...countCrashes(this.trackerValue, input.settings, this.replansUsed));
    }
  }

  /** Makes `lease` the run's lease: checkpoints are written through it, and it is renewed until released. */
  holdLease(lease: LeaseKeeper): void {
    this.lease = lease;
  }

  /** Gives the run's lease up (best effort) and stops renewing it; `finishRun` calls it, and a driver that stops early. */
  async releaseLease(): Promise<void> {
    await this.lease?.release();
  }

  /** The tracker; set once a plan is accepted. */
  get tracker(): PlanTracker {
    if (!this.trackerValue) throw new Error('No plan is being tracked yet');
    return this.trackerValue;
  }

  /** Whether a plan has been accepted. */
  get hasPlan(): boolean {
    return this.trackerValue !== null;
  }

  /** Starts tracking an accepted plan. */
  track(tracker: PlanTracker): void {
    this.trackerValue = tracker;
  }

  /** Stamps and delivers an event, secrets redacted; a throwing listener is logged (redacted too) and ignored. */
  emit(event: PlanRunEventInput): void {
    // Without a listener nobody sees the event: skip the timestamp and the redacting copy (issue 11).
    if (!this.input.onEvent) return;
    const stamped = this.redact({ ...event, runId: this.runId, timestamp: new Date().toISOString() });
    notify(this.input.onEvent, stamped as never, (error) => console.error('[mastra-plan-execute] onEvent listener threw:', this.redact(error)));
  }

  /**
   * A copy of `value` with every secret (`settings.redact`: the caller's strings and, from the
   * drivers, the environment's secret values) replaced by `[REDACTED]`; `value` itself when there
   * are none. Everything the run writes goes through it: events, the result, logs, stored records.
   */
  redact<T>(value: T): T {
    this.redactor ??= createRedactor({ extra: this.input.settings.redact ?? [] });
    return this.redactor(value);
  }

  /** Stops the run before a model call once the token budget is spent. */
  ensureBudget(): void {
    const maxTokens = this.input.settings.budget?.maxTokens;
    if (maxTokens !== undefined && this.meter.totalTokens >= maxTokens) {
      const error = new BudgetExceededError(this.meter.totalTokens, maxTokens, this.hasPlan ? this.tracker.snapshot() : null);
      throw new RunEnd('aborted', error);
    }
  }

  /**
   * Counts one answered call: usage, repairs, and a `model-called` event when a model answered
   * (the reply names its structured-output `mode`; plain-code roles name none).
   */
  recordCall(role: ModelCallRole, stepId: string | null, reply: Pick<RoleReply<unknown>, 'usage' | 'mode' | 'repairs'>, startedAt: number): void {
    this.meter.add(USAGE_ROLE[role], reply.usage);
    const repairs = reply.repairs ?? [];
    for (const repair of repairs) this.repairs[repair] = (this.repairs[repair] ?? 0) + 1;
    if (reply.mode === undefined) return;
    this.emit({ type: 'model-called', role, stepId, mode: reply.mode, usage: reply.usage, durationMs: Date.now() - startedAt, repairs, error: null });
  }

  /**
   * Aborts the early attempts no step of `keep` is the same as (all by default), and counts what
   * the finished ones spent, with a `model-called` event each, as the loop counts its attempts.
   */
  dropEarlySteps(keep: readonly PlanStep[] = []): void {
    for (const attempt of this.earlySteps?.discard(keep) ?? []) {
      if (attempt.settled) this.recordCall('executor', attempt.step.id, attempt.settled, attempt.startedAt);
      if (attempt.failure) {
        // As a failed attempt of the loop is counted: a malformed answer's usage, a model error's event.
        const error = this.redact(attempt.failure.error);
        const usage = isPlanExecuteError(error, 'MODEL_OUTPUT_INVALID') && error.usage ? error.usage : ZERO_USAGE;
        this.recordFailedCall('executor', attempt.step.id, error, usage, attempt.startedAt);
      }
    }
  }

  /** Counts a call that threw: its usage, and a `model-called` event when a model adapter reported the error. */
  recordFailedCall(role: ModelCallRole, stepId: string | null, error: unknown, usage: TokenUsage, startedAt: number): void {
    this.meter.add(USAGE_ROLE[role], usage);
    if (!MODEL_ERROR_CODES.some((code) => isPlanExecuteError(error, code))) return;
    const code = (error as { code: string }).code;
    this.emit({ type: 'model-called', role, stepId, mode: null, usage, durationMs: Date.now() - startedAt, repairs: [], error: code as PlanExecuteErrorCode });
  }

  /**
   * One model call of `role`: budget and cancellation checked first, usage counted even for a
   * malformed answer, no longer than `callTimeoutMs` (then a CALL_TIMEOUT error). A transient
   * model/API error or a timeout is re-tried up to `maxRetries` times after a backoff (the server's
   * Retry-After when it gave one); a malformed answer is not (the caller repairs it with the
   * validator's messages); a refused request or an unreachable server ends the run. The answer and
   * any error come back with secrets redacted, so nothing downstream can store or show them.
   */
  async call<T>(role: ModelCallRole, request: (signal: AbortSignal) => Promise<RoleReply<T>>): Promise<RoleReply<T>> {
    const { maxRetries, callTimeoutMs } = this.input.settings;
    for (let attempt = 1; ; attempt++) {
      this.ensureBudget();
      throwIfCancelled(this.signal);
      const startedAt = Date.now();
      const limit = timeLimit(this.signal, callTimeoutMs);
      try {
        const reply = await raceAbort(request(limit.signal), limit.signal).finally(limit.clear);
        this.recordCall(role, null, reply, startedAt);
        return { ...reply, value: this.redact(reply.value) };
      } catch (thrown) {
        const error = this.redact(limit.timedOut() && !this.signal.aborted ? new CallTimeoutError(role, callTimeoutMs) : thrown);
        const usage = isPlanExecuteError(error, 'MODEL_OUTPUT_INVALID') && error.usage ? error.usage : ZERO_USAGE;
        this.recordFailedCall(role, null, error, usage, startedAt);
        if (isRunEndingError(error)) throw new RunEnd('failed', error);
        const retry = !isPlanExecuteError(error, 'MODEL_OUTPUT_INVALID') && isRetryableError(error) && attempt <= maxRetries;
        if (!retry || this.signal.aborted) throw error;
        await sleep(retryDelayMs(error, attempt), this.signal);
        // A zero Retry-After must not turn retries into a loop that starves timers and abort signals.
        await yieldToEventLoop();
      }
    }
  }

  /**
   * Writes the run's state as it is now to the store, if any; resolves once it is durable. Writes
   * are chained, so parallel steps can never store an older state over a newer one. With a lease,
   * the write is fenced and retried, each try given `leaseMs` (RunLockedError when another owner
   * took the run, StoreFailedError after CHECKPOINT_ATTEMPTS failed writes, or after one once the
   * run was cancelled). Without one, StoreFailedError when the save (and the ones before it) gave
   * no answer within `leaseMs`.
   */
  checkpoint(result: PlanRunResult | null = null): Promise<void> {
    const store = this.input.store;
    if (!store) return Promise.resolve();
    // Role replies are redacted as they arrive; the task and anything else in the record are redacted here.
    const record = this.redact(this.record(result));
    // A run that lost its lease stores nothing more: the record is the new owner's.
    if (result && this.lease?.lost) return Promise.resolve();
    const lease = this.lease;
    const saved = this.saving.then(() => (lease ? lease.write(record, this.signal) : store.save(record)));
    this.saving = saved.catch(() => undefined);
    if (lease) return saved;
    // No fence here: a save given up on could still land after a newer one, so the chain keeps
    // waiting for it (the next save goes after it) and only the run's wait is bounded.
    const { leaseMs } = this.input.settings;
    return withTimeLimit(saved, leaseMs, () => new StoreFailedError(this.runId, 1, storeTimeoutError('save', leaseMs)));
  }

  /** The run's state as it is now, as the store keeps it. */
  record(result: PlanRunResult | null = null): RunRecord {
    return {
      version: 1,
      runId: this.runId,
      task: this.task,
      status: result?.status ?? 'running',
      startedAt: new Date(this.startedAt).toISOString(),
      snapshot: this.hasPlan ? this.tracker.snapshot() : null,
      stepResults: structuredClone(this.stepResults),
      usage: this.meter.toJSON(),
      replansUsed: this.replansUsed,
      pendingFailures: structuredClone(this.pendingFailures),
      repairs: { ...this.repairs },
      warnings: structuredClone(this.warnings),
      ...(this.awaitingApproval ? { awaitingApproval: true } : {}),
      result,
    };
  }

  /** Builds the result, stores it, emits `run-finished` and returns the result. */
  async finish(status: RunStatus, finalOutput: string, error: PlanExecuteError | null): Promise<PlanRunResult> {
    const snapshot = this.hasPlan ? this.tracker.snapshot() : null;
    const revisions = snapshot?.revisions ?? [];
    const result: PlanRunResult = this.redact({
      runId: this.runId,
      status,
      task: this.task,
      initialPlan: snapshot?.initialPlan ?? null,
      plan: snapshot?.steps ?? [],
      revisions,
      replanned: revisions.some((revision) => revision.kind !== 'edit'),
      finalOutput,
      steps: [...this.stepResults],
      usage: this.meter.toJSON(),
      repairs: { ...this.repairs },
      warnings: [...this.warnings],
      durationMs: Date.now() - this.startedAt,
      error: error && { code: error.code, message: error.message, ...('issues' in error ? { issues: error.issues as string[] } : {}) },
    });
    // The outcome stands even if the store is down now; the caller still gets the result.
    await this.checkpoint(result).catch((storeError: unknown) => console.error('[mastra-plan-execute] could not store the result:', this.redact(storeError)));
    this.emit({ type: 'run-finished', status, result, error });
    return result;
  }
}
