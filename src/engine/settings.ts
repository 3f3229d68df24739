import { InvalidOptionsError } from './errors.ts';
import { describeValue, expectBoolean, expectFunction, expectInteger, expectStringArray, MAX_TIMER_MS } from './option-checks.ts';
import type { Plan } from './plan-schema.ts';
import { defaultFailurePolicy, type FailurePolicy } from './policy.ts';

/** A human (or code) gate before execution: true approves, false rejects, a Plan replaces the plan. */
export type ApprovePlan = (plan: Plan) => boolean | Plan | Promise<boolean | Plan>;

/** Every behaviour-changing default of a run, in one place. */
export const DEFAULTS = Object.freeze({
  /** A failed step goes to the replanner instead of ending the run. */
  replanOnFailure: true,
  /** Replanner calls per run; each revise/skip/abort decision spends one. */
  maxReplans: 2,
  /** Re-runs of a step after a retryable error (model/API error, timeout, malformed answer). */
  maxRetries: 1,
  /** Model calls inside one step's tool loop (bounded ReAct). */
  maxStepIterations: 5,
  /** Longest plan accepted, done steps of a revision included. */
  maxPlanSteps: 10,
  /** Independent steps run at once; 1 runs the plan strictly in order. */
  concurrency: 4,
  /** Times an invalid plan or revision is sent back to the planner with the validator's messages. */
  maxPlanRepairs: 2,
  /** Merge the step outputs with the synthesizer. */
  synthesize: true,
  /** Start steps while the planner is still writing the plan (`run` and `stream` only). */
  streamPlan: false,
  /**
   * Time limit of one model call: each planner, replanner and synthesizer call, and each executor
   * turn (an executor attempt without `stepTimeoutMs` is limited to `callTimeoutMs × maxStepIterations`).
   */
  callTimeoutMs: 120_000,
  /** Time `approvePlan` may take before the run ends `rejected` (APPROVAL_TIMEOUT): one hour, long enough for a person. */
  approvalTimeoutMs: 3_600_000,
  /** Longest step output, error or final answer kept (characters); the rest is cut with a marker before it is stored or passed on. */
  maxStepOutputChars: 65_536,
  /** Strings redacted besides the secrets the drivers take from the environment: none. */
  redact: Object.freeze([] as string[]),
  /** Times a step cut off by a crash is started again; one more crash fails it for good. */
  maxCrashRestarts: 3,
  /** How long a run's lease in the store lasts unless renewed (renewed every third of it while the run plans or runs steps). */
  leaseMs: 30_000,
  /** How long `resume` waits for another owner's lease before RUN_LOCKED; 0 refuses at once. */
  leaseWaitMs: 0,
  /** How long a plan stored in the `planCache` is reused: one day (a task's best plan changes with its world). */
  planCacheTtlMs: 86_400_000,
});

/** The largest `maxRetries` accepted: a retry storm is a bug, not a setting. */
export const MAX_RETRIES = 10;

/** Limits and switches of one run; `DEFAULTS` holds the default of each. */
export interface RunSettings {
  /** @default true */
  readonly replanOnFailure: boolean;
  /** @default 2 */
  readonly maxReplans: number;
  /** @default 1 */
  readonly maxRetries: number;
  /** @default 5 */
  readonly maxStepIterations: number;
  /** Longest plan accepted, done steps of a revision included. @default 10 */
  readonly maxPlanSteps: number;
  /** @default 4 */
  readonly concurrency: number;
  /** @default 2 */
  readonly maxPlanRepairs: number;
  /** @default true */
  readonly synthesize: boolean;
  /**
   * Start each step without a direct call as soon as the planner has written it whole and its
   * dependencies finished the same way, before the plan is finished and validated; a step of the
   * validated plan identical to a started one takes that attempt as its first, the others are
   * aborted (a tool they called stays called). `run` and `stream` only (the CLI's
   * `--stream-plan`); not with `approvePlan`. @default false
   */
  readonly streamPlan: boolean;
  /** Restarts of a step cut off by crashes before it fails for good. @default 3 */
  readonly maxCrashRestarts: number;
  /** Lease length in the store, in ms; a crashed owner's run can be taken over after it. @default 30000 */
  readonly leaseMs: number;
  /** How long to wait for another owner's lease before RUN_LOCKED, in ms. @default 0 */
  readonly leaseWaitMs: number;
  /** How long a plan stored in the plan cache is reused, in ms. @default 86400000 */
  readonly planCacheTtlMs: number;
  /** Per-attempt time limit; when left out, `callTimeoutMs × maxStepIterations`. */
  readonly stepTimeoutMs?: number | undefined;
  /** Time limit of each planner, replanner and synthesizer call (ms). @default 120000 */
  readonly callTimeoutMs: number;
  /** Time `approvePlan` may take (ms). @default 3600000 */
  readonly approvalTimeoutMs: number;
  /** Longest step output, error or final answer kept, in characters. @default 65536 */
  readonly maxStepOutputChars: number;
  /** Strings replaced by `[REDACTED]` in events, results, stored records and logs. @default [] */
  readonly redact: readonly string[];
  /** Token budget for the whole run; none by default. */
  readonly budget?: { readonly maxTokens: number } | undefined;
  /** Human gate before execution; none by default. */
  readonly approvePlan?: ApprovePlan | undefined;
  /** What to do after a failed attempt. @default defaultFailurePolicy */
  readonly failurePolicy: FailurePolicy;
}

/** Run settings as a caller gives them: every field optional. */
export type RunSettingsInput = Partial<RunSettings>;

/** Names of 0.1 that were renamed, and their new names. */
const RENAMED: Readonly<Record<string, string>> = { maxSteps: 'maxPlanSteps' };

/** Every run setting's name. */
const SETTING_NAMES: readonly string[] = [...Object.keys(DEFAULTS), 'stepTimeoutMs', 'budget', 'approvePlan', 'failurePolicy'];

/**
 * Checks every setting before anything runs and fills in the defaults; throws InvalidOptionsError
 * naming the bad value, or a name that is no setting (a typo would otherwise be ignored).
 */
export function resolveSettings(input: RunSettingsInput = {}): RunSettings {
  for (const [old, renamed] of Object.entries(RENAMED)) {
    if (old in input) throw new InvalidOptionsError(`\`${old}\` was renamed to \`${renamed}\` in 0.2 (see CHANGELOG.md)`);
  }
  const unknown = Object.keys(input).filter((name) => !SETTING_NAMES.includes(name));
  if (unknown.length) {
    const names = unknown.map((name) => `\`${name}\``).join(', ');
    throw new InvalidOptionsError(`Unknown option${unknown.length > 1 ? 's' : ''} ${names}; the run settings are ${SETTING_NAMES.join(', ')}`);
  }
  expectInteger('maxReplans', input.maxReplans, { min: 0 });
  expectInteger('maxRetries', input.maxRetries, { min: 0, max: MAX_RETRIES });
  expectInteger('maxStepIterations', input.maxStepIterations, { min: 1 });
  expectInteger('maxPlanSteps', input.maxPlanSteps, { min: 1 });
  expectInteger('concurrency', input.concurrency, { min: 1 });
  expectInteger('maxPlanRepairs', input.maxPlanRepairs, { min: 0 });
  expectInteger('maxCrashRestarts', input.maxCrashRestarts, { min: 0 });
  expectInteger('leaseMs', input.leaseMs, { min: 100, max: MAX_TIMER_MS });
  expectInteger('leaseWaitMs', input.leaseWaitMs, { min: 0, max: MAX_TIMER_MS });
  expectInteger('planCacheTtlMs', input.planCacheTtlMs, { min: 1 });
  expectInteger('stepTimeoutMs', input.stepTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  expectInteger('callTimeoutMs', input.callTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  expectInteger('approvalTimeoutMs', input.approvalTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  expectInteger('maxStepOutputChars', input.maxStepOutputChars, { min: 1 });
  expectStringArray('redact', input.redact);
  if (input.budget !== undefined) {
    if (typeof input.budget !== 'object' || input.budget === null) {
      throw new InvalidOptionsError(`Expected \`budget\` to be an object like { maxTokens: 10000 }, got ${describeValue(input.budget)}`);
    }
    expectInteger('budget.maxTokens', input.budget.maxTokens, { min: 1 });
  }
  expectBoolean('replanOnFailure', input.replanOnFailure);
  expectBoolean('synthesize', input.synthesize);
  expectBoolean('streamPlan', input.streamPlan);
  if (input.streamPlan === true && input.approvePlan !== undefined) {
    throw new InvalidOptionsError(
      '`streamPlan` starts steps before the plan is whole, and `approvePlan` must see the plan before anything runs: use one of them',
    );
  }
  expectFunction('approvePlan', input.approvePlan);
  expectFunction('failurePolicy', input.failurePolicy);
  return {
    replanOnFailure: input.replanOnFailure ?? DEFAULTS.replanOnFailure,
    maxReplans: input.maxReplans ?? DEFAULTS.maxReplans,
    maxRetries: input.maxRetries ?? DEFAULTS.maxRetries,
    maxStepIterations: input.maxStepIterations ?? DEFAULTS.maxStepIterations,
    maxPlanSteps: input.maxPlanSteps ?? DEFAULTS.maxPlanSteps,
    concurrency: input.concurrency ?? DEFAULTS.concurrency,
    maxPlanRepairs: input.maxPlanRepairs ?? DEFAULTS.maxPlanRepairs,
    synthesize: input.synthesize ?? DEFAULTS.synthesize,
    streamPlan: input.streamPlan ?? DEFAULTS.streamPlan,
    maxCrashRestarts: input.maxCrashRestarts ?? DEFAULTS.maxCrashRestarts,
    leaseMs: input.leaseMs ?? DEFAULTS.leaseMs,
    leaseWaitMs: input.leaseWaitMs ?? DEFAULTS.leaseWaitMs,
    planCacheTtlMs: input.planCacheTtlMs ?? DEFAULTS.planCacheTtlMs,
    stepTimeoutMs: input.stepTimeoutMs,
    callTimeoutMs: input.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
    approvalTimeoutMs: input.approvalTimeoutMs ?? DEFAULTS.approvalTimeoutMs,
    maxStepOutputChars: input.maxStepOutputChars ?? DEFAULTS.maxStepOutputChars,
    redact: [...(input.redact ?? DEFAULTS.redact)],
    budget: input.budget,
    approvePlan: input.approvePlan,
    failurePolicy: input.failurePolicy ?? defaultFailurePolicy,
  };
}
