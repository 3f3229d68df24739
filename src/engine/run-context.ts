import { randomUUID } from 'node:crypto';
import { raceAbort, throwIfCancelled } from './abort.ts';
import { BudgetExceededError, isRetryableError, ModelOutputError, type PlanExecuteError } from './errors.ts';
import { notify, type PlanRunEventInput } from './events.ts';
import type { StepFailure } from './execute-step.ts';
import type { RoleReply } from './ports.ts';
import type { PlanRunResult, RunStatus, StepResult } from './result.ts';
import type { RunPlanInput } from './run-options.ts';
import type { RunRecord } from './run-store.ts';
import { PlanTracker } from './tracker.ts';
import { UsageMeter, type ModelRole } from './usage.ts';

/** Thrown inside a run to end it with a status other than `completed`; never escapes `runPlan`. */
export class RunEnd extends Error {
  constructor(
    readonly status: Exclude<RunStatus, 'completed'>,
    readonly error: PlanExecuteError,
  ) {
    super(error.message);
    this.name = 'RunEnd';
  }
}

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
  private trackerValue: PlanTracker | null = null;
  private saving: Promise<unknown> = Promise.resolve();

  /** A new run, or one carried on from a stored record (interrupted steps go back to pending). */
  constructor(
    readonly input: RunPlanInput,
    record?: RunRecord,
  ) {
    this.runId = record?.runId ?? input.runId ?? randomUUID();
    this.signal = input.abortSignal ?? new AbortController().signal;
    this.meter = new UsageMeter(record?.usage);
    this.stepResults = [...(record?.stepResults ?? [])];
    this.startedAt = record ? Date.parse(record.startedAt) : Date.now();
    this.replansUsed = record?.replansUsed ?? 0;
    this.pendingFailures = [...(record?.pendingFailures ?? [])];
    if (record?.snapshot) {
      this.trackerValue = PlanTracker.restore(record.snapshot);
      // A step in progress in a stored record was cut off by a crash: it ran, but it left nothing.
      for (const step of this.trackerValue.list()) if (step.status === 'in_progress') this.trackerValue.abandon(step.id);
    }
  }

  /** The tracker; set once a plan is accepted. */
  get tracker(): PlanTracker {
    if (!this.trackerValue) throw new Error('No plan is being tracked yet');
    return this.trackerValue;
  }

  set tracker(tracker: PlanTracker) {
    this.trackerValue = tracker;
  }

  /** Whether a plan has been accepted. */
  get hasPlan(): boolean {
    return this.trackerValue !== null;
  }

  /** Stamps and delivers an event. */
  emit(event: PlanRunEventInput): void {
    notify(this.input.onEvent, { ...event, runId: this.runId, timestamp: new Date().toISOString() } as never);
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
   * One model call of `role`: budget and cancellation checked first, usage counted even for a
   * malformed answer. A model/API error is re-tried up to `maxRetries` times; a malformed answer
   * is not (the caller repairs it with the validator's messages).
   */
  async call<T>(role: ModelRole, request: (signal: AbortSignal) => Promise<RoleReply<T>>): Promise<RoleReply<T>> {
    for (let attempt = 1; ; attempt++) {
      this.ensureBudget();
      throwIfCancelled(this.signal);
      try {
        const reply = await raceAbort(request(this.signal), this.signal);
        this.meter.add(role, reply.usage);
        return reply;
      } catch (error) {
        if (error instanceof ModelOutputError && error.usage) this.meter.add(role, error.usage);
        const retry = !(error instanceof ModelOutputError) && isRetryableError(error) && attempt <= this.input.settings.maxRetries;
        if (!retry || this.signal.aborted) throw error;
      }
    }
  }

  /**
   * Writes the run's state as it is now to the store, if any; resolves once it is durable. Writes
   * are chained, so parallel steps can never store an older state over a newer one.
   */
  checkpoint(result: PlanRunResult | null = null): Promise<void> {
    const store = this.input.store;
    if (!store) return Promise.resolve();
    const record: RunRecord = {
      version: 1,
      runId: this.runId,
      task: this.input.task,
      status: result?.status ?? 'running',
      startedAt: new Date(this.startedAt).toISOString(),
      snapshot: this.hasPlan ? this.tracker.snapshot() : null,
      stepResults: structuredClone(this.stepResults),
      usage: this.meter.toJSON(),
      replansUsed: this.replansUsed,
      pendingFailures: structuredClone(this.pendingFailures),
      result,
    };
    const saved = this.saving.then(() => store.save(record));
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  /** Builds the result, stores it, emits `run-finished` and returns the result. */
  async finish(status: RunStatus, finalOutput: string, error: PlanExecuteError | null): Promise<PlanRunResult> {
    const snapshot = this.hasPlan ? this.tracker.snapshot() : null;
    const revisions = snapshot?.revisions ?? [];
    const result: PlanRunResult = {
      runId: this.runId,
      status,
      task: this.input.task,
      initialPlan: snapshot?.initialPlan ?? null,
      plan: snapshot?.steps ?? [],
      revisions,
      replanned: revisions.some((revision) => revision.kind !== 'edit'),
      finalOutput,
      steps: [...this.stepResults],
      usage: this.meter.toJSON(),
      durationMs: Date.now() - this.startedAt,
      error: error && { code: error.code, message: error.message, ...('issues' in error ? { issues: error.issues as string[] } : {}) },
    };
    // The outcome stands even if the store is down now; the caller still gets the result.
    await this.checkpoint(result).catch((storeError: unknown) => console.error('[mastra-plan-execute] could not store the result:', storeError));
    this.emit({ type: 'run-finished', status, result, error });
    return result;
  }
}
