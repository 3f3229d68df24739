import type { Plan } from './plan-schema.ts';
import type { PlanRevision, TrackedStep } from './tracker.ts';
import type { RunUsage, TokenUsage } from './usage.ts';
import type { PlanExecuteErrorCode } from './errors.ts';

/** How a run ended. */
export type RunStatus = 'completed' | 'failed' | 'aborted' | 'cancelled' | 'rejected';

/** One attempt of one step, in execution order. */
export interface StepResult {
  /** The step's id. */
  readonly stepId: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** How the attempt ended. */
  readonly status: 'done' | 'failed' | 'cancelled';
  /** The step's output when done; null otherwise. */
  readonly output: string | null;
  /** Why it failed; null when done. */
  readonly error: string | null;
  /** Whether the failure was retryable (model/API error, timeout, malformed answer). */
  readonly retryable: boolean;
  /** Tool calls the executor made in this attempt. */
  readonly toolCalls: number;
  /** Tokens this attempt spent. */
  readonly usage: TokenUsage;
  /** When the attempt started (ISO 8601). */
  readonly startedAt: string;
  /** How long it took. */
  readonly durationMs: number;
  /** Present (true) when the engine called a direct step's tool itself: no model call, the tool's result is the output. */
  readonly direct?: true;
}

/**
 * A stable name of a warning: `no-tool-call` when the plan named a tool and the executor made no
 * tool call; `direct-call-failed` when a direct step's own tool call failed and the executor did the step.
 */
export type RunWarningKind = 'no-tool-call' | 'direct-call-failed';

/** Something a run noticed that did not stop it, shown to the caller instead of passing silently. */
export interface RunWarning {
  /** The step it concerns. */
  readonly stepId: string;
  /** What kind of warning (see RunWarningKind). */
  readonly warning: RunWarningKind;
  /** What happened, in words. */
  readonly message: string;
}

/** Plain-JSON form of the error that ended a run. */
export interface RunErrorInfo {
  /** The error's stable code. */
  readonly code: PlanExecuteErrorCode;
  /** What went wrong. */
  readonly message: string;
  /** The validator's messages, for PLAN_INVALID. */
  readonly issues?: readonly string[];
}

/** Everything a run produced; plain JSON. */
export interface PlanRunResult {
  /** This run's id. */
  readonly runId: string;
  /** How the run ended. */
  readonly status: RunStatus;
  /** The task as given. */
  readonly task: string;
  /** The plan as created before any execution started; null when no valid plan was made. */
  readonly initialPlan: Plan | null;
  /** The final plan, each step with status, output, error and attempts. */
  readonly plan: readonly TrackedStep[];
  /** Every change to the plan: kind, reason, failed step, steps before and after. */
  readonly revisions: readonly PlanRevision[];
  /** Whether any replan revised or skipped steps. */
  readonly replanned: boolean;
  /** The synthesised answer (or the last done step's output with `synthesize: false`). */
  readonly finalOutput: string;
  /** Every step attempt, in execution order. */
  readonly steps: readonly StepResult[];
  /** Tokens spent, in total and per role. */
  readonly usage: RunUsage;
  /** Near misses in model answers that the tolerant reader fixed, counted by kind (for example `snake-case-key: 2`). */
  readonly repairs: Readonly<Record<string, number>>;
  /** Warnings raised during the run, in order. */
  readonly warnings: readonly RunWarning[];
  /** Wall-clock duration of the run. */
  readonly durationMs: number;
  /** Why the run did not complete; null when it completed. */
  readonly error: RunErrorInfo | null;
}
