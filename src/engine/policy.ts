/** What the run does after a step attempt failed. */
export type FailureAction =
  | { readonly type: 'retry' }
  | { readonly type: 'replan' }
  | { readonly type: 'skip'; readonly reason: string }
  | { readonly type: 'abort'; readonly reason: string }
  | { readonly type: 'fail'; readonly reason: string };

/** A step that failed for good in this round, with what the policy chose to do about it. */
export interface StepFailure {
  /** The failed step. */
  readonly stepId: string;
  /** Why it failed. */
  readonly error: string;
  /** What the policy chose (never `retry`). */
  readonly action: Exclude<FailureAction, { type: 'retry' }>;
}

/** Everything a policy may weigh. */
export interface FailureContext {
  /** The failed step. */
  readonly stepId: string;
  /** Why it failed. */
  readonly error: string;
  /** Model/API error, timeout or malformed answer: re-running as is may help. */
  readonly retryable: boolean;
  /** Attempts made so far, this one included. */
  readonly attempts: number;
  /** Re-runs allowed after a retryable error. */
  readonly maxRetries: number;
  /** Whether a failure may be sent to the replanner. */
  readonly replanOnFailure: boolean;
  /** Replans already made in this run. */
  readonly replansUsed: number;
  /** Replans allowed in this run. */
  readonly maxReplans: number;
}

/** Decides what happens after a failed attempt; pass your own as `failurePolicy`. */
export type FailurePolicy = (context: FailureContext) => FailureAction;

/**
 * Retry a retryable error while retries are left; otherwise send the failure to the replanner,
 * unless replanning is off or its budget is spent, which fails the run.
 */
export const defaultFailurePolicy: FailurePolicy = (context) => {
  if (context.retryable && context.attempts <= context.maxRetries) return { type: 'retry' };
  if (!context.replanOnFailure) return { type: 'fail', reason: `Step "${context.stepId}" failed and replanning is off: ${context.error}` };
  if (context.replansUsed >= context.maxReplans) {
    return { type: 'fail', reason: `Step "${context.stepId}" failed and the replan budget (${context.maxReplans}) is spent: ${context.error}` };
  }
  return { type: 'replan' };
};

/** The run settings a failure decision reads. */
export interface FailureSettings {
  readonly failurePolicy: FailurePolicy;
  readonly maxRetries: number;
  readonly replanOnFailure: boolean;
  readonly maxReplans: number;
}

/** One failed attempt as a decision sees it. */
export type FailedAttempt = Pick<FailureContext, 'stepId' | 'error' | 'retryable' | 'attempts' | 'replansUsed'>;

/**
 * What `settings.failurePolicy` chose for a failed attempt, given the context built field by field
 * (nothing else of the settings leaks into it); a `retry` past `maxAttempts` attempts becomes
 * `fail` with `noRetryReason`.
 */
export function decideFailure(settings: FailureSettings, attempt: FailedAttempt, maxAttempts: number, noRetryReason: string): FailureAction {
  const { stepId, error, retryable, attempts, replansUsed } = attempt;
  const { maxRetries, replanOnFailure, maxReplans } = settings;
  const action = settings.failurePolicy({ stepId, error, retryable, attempts, maxRetries, replanOnFailure, replansUsed, maxReplans });
  return action.type === 'retry' && attempts >= maxAttempts ? { type: 'fail', reason: noRetryReason } : action;
}
