import { DEFAULTS } from './constants.ts';
import { InvalidOptionsError } from './errors.ts';
import { defaultFailurePolicy } from './policy.ts';
import type { RunSettings } from './run-options.ts';

/** Run settings as a caller gives them: every field optional. */
export type RunSettingsInput = Partial<RunSettings>;

const describe = (value: unknown) => `${String(value)} (${typeof value})`;

function integer(name: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionsError(`Expected \`${name}\` to be an integer from ${min} and up, got ${describe(value)}`);
  }
}

function boolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidOptionsError(`Expected \`${name}\` to be a boolean, got ${describe(value)}`);
  }
}

function callable(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionsError(`Expected \`${name}\` to be a function, got ${describe(value)}`);
  }
}

/** Checks every setting before anything runs and fills in the defaults; throws InvalidOptionsError naming the bad value. */
export function resolveSettings(input: RunSettingsInput = {}): RunSettings {
  integer('maxReplans', input.maxReplans, 0);
  integer('maxRetries', input.maxRetries, 0);
  integer('maxStepIterations', input.maxStepIterations, 1);
  integer('maxSteps', input.maxSteps, 1);
  integer('concurrency', input.concurrency, 1);
  integer('maxPlanRepairs', input.maxPlanRepairs, 0);
  integer('stepTimeoutMs', input.stepTimeoutMs, 1);
  if (input.budget !== undefined) {
    if (typeof input.budget !== 'object' || input.budget === null) {
      throw new InvalidOptionsError(`Expected \`budget\` to be an object like { maxTokens: 10000 }, got ${describe(input.budget)}`);
    }
    integer('budget.maxTokens', input.budget.maxTokens, 1);
  }
  boolean('replanOnFailure', input.replanOnFailure);
  boolean('synthesize', input.synthesize);
  callable('approvePlan', input.approvePlan);
  callable('failurePolicy', input.failurePolicy);
  return {
    replanOnFailure: input.replanOnFailure ?? DEFAULTS.replanOnFailure,
    maxReplans: input.maxReplans ?? DEFAULTS.maxReplans,
    maxRetries: input.maxRetries ?? DEFAULTS.maxRetries,
    maxStepIterations: input.maxStepIterations ?? DEFAULTS.maxStepIterations,
    maxSteps: input.maxSteps ?? DEFAULTS.maxSteps,
    concurrency: input.concurrency ?? DEFAULTS.concurrency,
    maxPlanRepairs: input.maxPlanRepairs ?? DEFAULTS.maxPlanRepairs,
    synthesize: input.synthesize ?? DEFAULTS.synthesize,
    stepTimeoutMs: input.stepTimeoutMs,
    budget: input.budget,
    approvePlan: input.approvePlan,
    failurePolicy: input.failurePolicy ?? defaultFailurePolicy,
  };
}
