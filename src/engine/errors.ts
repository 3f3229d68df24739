import type { TrackerSnapshot } from './tracker.ts';
import type { TokenUsage } from './usage.ts';

/** Stable, machine-readable error codes of this library. */
export const ERROR_CODES = [
  'INVALID_OPTIONS',
  'PLAN_INVALID',
  'MODEL_OUTPUT_INVALID',
  'STEP_TIMEOUT',
  'RUN_CANCELLED',
  'BUDGET_EXCEEDED',
  'MODEL_NOT_CONFIGURED',
  'STEP_FAILED',
  'RUN_ABORTED',
  'PLAN_REJECTED',
  'MODEL_REQUEST_REJECTED',
  'MODEL_UNAVAILABLE',
  'MODEL_CALL_FAILED',
  'CALL_TIMEOUT',
  'APPROVAL_TIMEOUT',
  'NOTHING_DONE',
  'RUN_LOCKED',
  'STORE_FAILED',
  'UNEXPECTED',
] as const;

/** One of `ERROR_CODES`. */
export type PlanExecuteErrorCode = (typeof ERROR_CODES)[number];

const marker = Symbol.for('mastra-plan-execute.error');

/** Base class of every error this library throws or reports; switch on `code`. */
export class PlanExecuteError extends Error {
  readonly [marker] = true;
  /** Stable machine-readable code. */
  readonly code: PlanExecuteErrorCode;

  constructor(code: PlanExecuteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlanExecuteError';
    this.code = code;
  }

  /** True for any PlanExecuteError, even one from another copy of this package. */
  static isInstance(value: unknown): value is PlanExecuteError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/**
 * True for any PlanExecuteError (even one from another copy of this package), and with `code`
 * only for that code. Check errors this way rather than with `instanceof`.
 */
export function isPlanExecuteError<C extends PlanExecuteErrorCode = PlanExecuteErrorCode>(value: unknown, code?: C): value is ErrorOfCode<C> {
  return PlanExecuteError.isInstance(value) && (code === undefined || value.code === code);
}

/** The error class behind each code (PlanExecuteError for codes without one of their own). */
interface ErrorClassByCode {
  INVALID_OPTIONS: InvalidOptionsError;
  PLAN_INVALID: PlanValidationError;
  MODEL_OUTPUT_INVALID: ModelOutputError;
  STEP_TIMEOUT: StepTimeoutError;
  RUN_CANCELLED: RunCancelledError;
  BUDGET_EXCEEDED: BudgetExceededError;
  MODEL_NOT_CONFIGURED: MissingModelError;
  STEP_FAILED: StepFailedError;
  RUN_ABORTED: RunAbortedError;
  PLAN_REJECTED: PlanRejectedError;
  MODEL_REQUEST_REJECTED: ModelRequestRejectedError;
  MODEL_UNAVAILABLE: ModelUnavailableError;
  MODEL_CALL_FAILED: ModelCallFailedError;
  CALL_TIMEOUT: CallTimeoutError;
  APPROVAL_TIMEOUT: ApprovalTimeoutError;
  NOTHING_DONE: NothingDoneError;
  RUN_LOCKED: RunLockedError;
  STORE_FAILED: StoreFailedError;
  UNEXPECTED: UnexpectedRunError;
}

/** The error a code stands for. */
export type ErrorOfCode<C extends PlanExecuteErrorCode> = ErrorClassByCode[C];

/** Thrown by `new PlanAndExecute()` and `run()` when an option is out of range or of the wrong type. */
export class InvalidOptionsError extends PlanExecuteError {
  constructor(message: string) {
    super('INVALID_OPTIONS', message);
    this.name = 'InvalidOptionsError';
  }
}

/** Reported (in `run-finished`) when no valid plan or revision could be made within the repair rounds. */
export class PlanValidationError extends PlanExecuteError {
  /** Every problem found, phrased so a model can act on it. */
  readonly issues: readonly string[];
  /** The rejected plan or raw model text, for diagnosis. */
  readonly rejected: unknown;

  constructor(issues: readonly string[], rejected: unknown) {
    super('PLAN_INVALID', `The plan is invalid: ${issues.join('; ')}`);
    this.name = 'PlanValidationError';
    this.issues = issues;
    this.rejected = rejected;
  }
}

/** Thrown by a role adapter when the model's answer does not match the expected schema (retryable). */
export class ModelOutputError extends PlanExecuteError {
  /** The model's raw text. */
  readonly rawText: string;
  /** The schema problems, one per line. */
  readonly issues: readonly string[];
  /** Tokens the malformed answer cost, when known. */
  readonly usage: TokenUsage | null;

  constructor(role: string, rawText: string, issues: readonly string[], usage: TokenUsage | null = null) {
    super('MODEL_OUTPUT_INVALID', `The ${role} answer does not match its schema: ${issues.join('; ')}`);
    this.name = 'ModelOutputError';
    this.rawText = rawText;
    this.issues = issues;
    this.usage = usage;
  }
}

/** Reported when one step attempt runs longer than `stepTimeoutMs` (retryable). */
export class StepTimeoutError extends PlanExecuteError {
  constructor(stepId: string, timeoutMs: number) {
    super('STEP_TIMEOUT', `Step "${stepId}" timed out after ${timeoutMs} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Thrown inside the run when the caller's abort signal fires; the run then resolves `cancelled`. */
export class RunCancelledError extends PlanExecuteError {
  constructor(options?: { cause?: unknown }) {
    super('RUN_CANCELLED', 'The run was cancelled', options);
    this.name = 'RunCancelledError';
  }
}

/** Reported (in `run-finished`) when the token budget is spent before the next model call. */
export class BudgetExceededError extends PlanExecuteError {
  /** Tokens used when the run stopped. */
  readonly usedTokens: number;
  /** The budget that was set. */
  readonly maxTokens: number;
  /** The tracker's state when the run stopped; null before a plan existed. */
  readonly snapshot: TrackerSnapshot | null;

  constructor(usedTokens: number, maxTokens: number, snapshot: TrackerSnapshot | null) {
    super('BUDGET_EXCEEDED', `Token budget spent: ${usedTokens} of ${maxTokens} tokens used`);
    this.name = 'BudgetExceededError';
    this.usedTokens = usedTokens;
    this.maxTokens = maxTokens;
    this.snapshot = snapshot;
  }
}

/** Thrown when a role needs a model and the environment names none. */
export class MissingModelError extends PlanExecuteError {
  constructor(message: string) {
    super('MODEL_NOT_CONFIGURED', message);
    this.name = 'MissingModelError';
  }
}

/** Reported when a step failed and the run could not go on: replanning off, or its budget spent. */
export class StepFailedError extends PlanExecuteError {
  /** The step that failed. */
  readonly stepId: string;

  constructor(stepId: string, message: string) {
    super('STEP_FAILED', message);
    this.name = 'StepFailedError';
    this.stepId = stepId;
  }
}

/** Reported when the replanner (or a failure policy) chose to stop the run. */
export class RunAbortedError extends PlanExecuteError {
  constructor(reason: string) {
    super('RUN_ABORTED', `The run was aborted: ${reason}`);
    this.name = 'RunAbortedError';
  }
}

/** Reported when `approvePlan` rejected the plan. */
export class PlanRejectedError extends PlanExecuteError {
  constructor() {
    super('PLAN_REJECTED', 'The plan was rejected before execution');
    this.name = 'PlanRejectedError';
  }
}

/** Which role made a model call. */
export type ModelCallRole = 'planner' | 'replanner' | 'executor' | 'synthesizer';

/**
 * Thrown by a role adapter when the model server refused the request for good (an HTTP 4xx other
 * than 408, 409 and 429: bad key, unknown model, unsupported parameter). Never retried or
 * replanned: the run ends `failed` at once.
 */
export class ModelRequestRejectedError extends PlanExecuteError {
  /** The HTTP status. */
  readonly status: number;
  /** What the provider said, as it said it (secrets redacted by the caller). */
  readonly providerMessage: string;
  /** The role whose call was refused. */
  readonly role: ModelCallRole;

  constructor(role: ModelCallRole, status: number, providerMessage: string, options?: { cause?: unknown }) {
    super('MODEL_REQUEST_REJECTED', `The model server refused the ${role}'s request (HTTP ${status}): ${providerMessage}`, options);
    this.name = 'ModelRequestRejectedError';
    this.status = status;
    this.providerMessage = providerMessage;
    this.role = role;
  }
}

/**
 * Thrown by a role adapter when the model server cannot be reached (connection refused, DNS or
 * TLS failure). Never retried or replanned: the run ends `failed` at once.
 */
export class ModelUnavailableError extends PlanExecuteError {
  /** The server's base URL, when known. */
  readonly baseUrl: string | null;
  /** The role whose call failed. */
  readonly role: ModelCallRole;
  /** Why it could not be reached (`connect ECONNREFUSED 127.0.0.1:11434`). */
  readonly reason: string;

  constructor(role: ModelCallRole, baseUrl: string | null, reason: string, options?: { cause?: unknown }) {
    super('MODEL_UNAVAILABLE', `Cannot reach the model server${baseUrl ? ` at ${baseUrl}` : ''} for the ${role}: ${reason}`, options);
    this.name = 'ModelUnavailableError';
    this.baseUrl = baseUrl;
    this.role = role;
    this.reason = reason;
  }
}

/**
 * Thrown by a role adapter for a transient provider failure (HTTP 408, 409, 429, 5xx, a dropped
 * connection). Retried within `maxRetries` after an exponential backoff with jitter, or after the
 * server's `Retry-After` when it gave one.
 */
export class ModelCallFailedError extends PlanExecuteError {
  /** The HTTP status; null when no response came. */
  readonly status: number | null;
  /** How long the server asked to wait before the next call; null when it did not say. */
  readonly retryAfterMs: number | null;
  /** The role whose call failed. */
  readonly role: ModelCallRole;

  constructor(role: ModelCallRole, status: number | null, retryAfterMs: number | null, message: string, options?: { cause?: unknown }) {
    super('MODEL_CALL_FAILED', `The ${role}'s model call failed${status === null ? '' : ` (HTTP ${status})`}: ${message}`, options);
    this.name = 'ModelCallFailedError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.role = role;
  }
}

/** Thrown when a planner, replanner or synthesizer call gives no answer within `callTimeoutMs` (retryable within `maxRetries`). */
export class CallTimeoutError extends PlanExecuteError {
  /** The role whose call timed out. */
  readonly role: ModelCallRole;
  /** The limit that was reached. */
  readonly timeoutMs: number;

  constructor(role: ModelCallRole, timeoutMs: number) {
    super('CALL_TIMEOUT', `The ${role}'s call gave no answer within ${timeoutMs} ms (callTimeoutMs)`);
    this.name = 'CallTimeoutError';
    this.role = role;
    this.timeoutMs = timeoutMs;
  }
}

/** Reported (the run ends `rejected`) when `approvePlan` gave no verdict within `approvalTimeoutMs`. */
export class ApprovalTimeoutError extends PlanExecuteError {
  /** The limit that was reached. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('APPROVAL_TIMEOUT', `The plan was not approved within ${timeoutMs} ms (approvalTimeoutMs)`);
    this.name = 'ApprovalTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** Reported (the run ends `failed`) when the plan settled with no step done: every step was skipped. */
export class NothingDoneError extends PlanExecuteError {
  constructor(skipped: number) {
    super('NOTHING_DONE', `No step was done: all ${skipped} steps of the plan were skipped`);
    this.name = 'NothingDoneError';
  }
}

/**
 * Thrown by `resume` (and reported by a run that lost its lease) when another owner holds the run:
 * another process resumes it, or took it over after this one's lease ran out. A run that gets it
 * mid-way stops at once and stores nothing more (the record belongs to the new owner).
 */
export class RunLockedError extends PlanExecuteError {
  /** The run. */
  readonly runId: string;
  /** Who holds it, when known; null when the run has ended or the lease was released. */
  readonly owner: string | null;
  /** When that lease runs out unless renewed (ISO 8601); null when unknown. */
  readonly expiresAt: string | null;

  constructor(runId: string, owner: string | null, expiresAt: string | null, reason?: string) {
    const holder = owner === null ? 'another owner' : `"${owner}" until ${expiresAt ?? 'an unknown time'}`;
    super('RUN_LOCKED', `Run "${runId}" is held by ${holder}${reason ? `: ${reason}` : ''}`);
    this.name = 'RunLockedError';
    this.runId = runId;
    this.owner = owner;
    this.expiresAt = expiresAt;
  }
}

/** Reported when the run store kept failing after the bounded retries of a checkpoint; the run ends `failed`. */
export class StoreFailedError extends PlanExecuteError {
  /** The run. */
  readonly runId: string;
  /** Writes tried, the first included. */
  readonly attempts: number;

  constructor(runId: string, attempts: number, cause: unknown) {
    super('STORE_FAILED', `Could not checkpoint run "${runId}" after ${attempts} attempts: ${errorMessage(cause)}`, { cause });
    this.name = 'StoreFailedError';
    this.runId = runId;
    this.attempts = attempts;
  }
}

/** Reported when a role or listener failed in a way the run cannot recover from (the cause is chained). */
export class UnexpectedRunError extends PlanExecuteError {
  constructor(cause: unknown) {
    super('UNEXPECTED', `The run failed unexpectedly: ${errorMessage(cause)}`, { cause });
    this.name = 'UnexpectedRunError';
  }
}

/** Whether a failed step attempt (or model call) may be re-run as it is: model/API errors, timeouts, malformed answers. */
export function isRetryableError(error: unknown): boolean {
  if (!PlanExecuteError.isInstance(error)) return true;
  return error.code === 'MODEL_OUTPUT_INVALID' || error.code === 'STEP_TIMEOUT' || error.code === 'MODEL_CALL_FAILED' || error.code === 'CALL_TIMEOUT';
}

const RUN_ENDING_CODES = ['MODEL_REQUEST_REJECTED', 'MODEL_UNAVAILABLE', 'RUN_LOCKED', 'STORE_FAILED'] as const;

/**
 * Whether an error ends the run at once, with no retry and no replan: the model server refused or
 * cannot be reached, the store keeps failing, or another owner took the run.
 */
export function isRunEndingError(error: unknown): error is ModelRequestRejectedError | ModelUnavailableError | RunLockedError | StoreFailedError {
  return RUN_ENDING_CODES.some((code) => isPlanExecuteError(error, code));
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
