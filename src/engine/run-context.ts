import { randomUUID } from 'node:crypto';
import { raceAbort, throwIfCancelled } from './abort.ts';
import { BudgetExceededError, isRetryableError, ModelOutputError, type PlanExecuteError } from './errors.ts';
import { notify, type PlanRunEventInput } from './events.ts';
import type { RoleReply } from './ports.ts';
import type { PlanRunResult, RunStatus, StepResult } from './result.ts';
import type { RunPlanInput } from './run-options.ts';
import type { PlanTracker } from './tracker.ts';
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
  readonly meter = new UsageMeter();
  readonly stepResults: StepResult[] = [];
  readonly startedAt = Date.now();
  replansUsed = 0;
  private trackerValue: PlanTracker | null = null;

  constructor(readonly input: RunPlanInput) {
    this.runId = input.runId ?? randomUUID();
    this.signal = input.abortSignal ?? new AbortController().signal;
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

  /** Builds the result, emits `run-finished` and returns the result. */
  finish(status: RunStatus, finalOutput: string, error: PlanExecuteError | null): PlanRunResult {
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
    this.emit({ type: 'run-finished', status, result, error });
    return result;
  }
}
