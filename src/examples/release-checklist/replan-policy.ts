import type { PlanStep, ReplanDecision } from '../../index.ts';
import { releaseStepIssues, toEngineStep } from './release-plan.ts';
import type { ReleasePlanStep, ReleaseReplanDecision, ReleaseStepKind, ReleaseTarget } from './schemas.ts';

/** Smoke failure patterns with a known remedy the smoke runner can apply. */
export const KNOWN_SMOKE_FIXES: readonly string[] = Object.freeze(['missing_migration']);

/** The known smoke failure pattern named in a step's error (the tool's report); null when none is. */
export function knownSmokeFailure(error: string): string | null {
  return KNOWN_SMOKE_FIXES.find((pattern) => new RegExp(`\\b${pattern}\\b`).test(error)) ?? null;
}

/** A finished step as the replanner sees it. */
export interface ReleaseCompletedStep {
  readonly id: string;
  readonly kind: ReleaseStepKind;
  readonly targetService: string | null;
  readonly description: string;
  /** What it produced. */
  readonly output: string;
}

/** What the release replanner is asked after a step failed. */
export interface ReleaseReplanRequest {
  /** The release being run. */
  readonly target: ReleaseTarget;
  /** Steps done so far; never re-run. */
  readonly completed: readonly ReleaseCompletedStep[];
  /** The step that failed, and why (as the executor reported it). */
  readonly failedStep: ReleasePlanStep;
  readonly error: string;
  /** Every other step not yet done, in plan order (other services' chains included). */
  readonly remaining: readonly ReleasePlanStep[];
  /** Problems with the previous answer, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

const abort = (rationale: string): ReleaseReplanDecision => ({ action: 'abort', fixStep: null, rationale });

/**
 * The release replan policy, as the deterministic replanner applies it and the replanner prompt states it:
 * - a smoke step failed with a known pattern → insert_fix (fix, then smoke again, then the rest);
 *   if that service was already fixed in this run → abort, the fix did not help;
 * - a verify step failed → abort: the deploy is live and unhealthy, and rolling back belongs to the caller;
 * - anything else (no build, an unknown smoke failure, a failed deploy or fix) → abort.
 */
export function decideReplan({ target, failedStep, error, completed }: ReleaseReplanRequest): ReleaseReplanDecision {
  const service = failedStep.targetService;
  const subject = service === null ? target.version : `${service}@${target.version}`;
  if (failedStep.kind === 'smoke' && service !== null) {
    const pattern = knownSmokeFailure(error);
    if (pattern === null) return abort(`The smoke suite of ${subject} failed with no known remedy: ${error}`);
    if (completed.some((step) => step.id === `fix-${service}`))
      return abort(`The smoke suite of ${subject} still fails after the ${pattern} fix; a human has to look.`);
    const description = `Apply the ${pattern} fix to ${service} for ${target.version}`;
    return {
      action: 'insert_fix',
      fixStep: { id: `fix-${service}`, kind: 'fix', targetService: service, description, toolHint: 'applyFix', dependsOn: [...failedStep.dependsOn] },
      rationale: `${pattern} is a known smoke failure: apply its fix to ${service}, then run the smoke suite again before deploying.`,
    };
  }
  if (failedStep.kind === 'build') return abort(`There is nothing to release: ${error}`);
  if (failedStep.kind === 'verify') return abort(`${subject} is deployed but unhealthy; rolling back is left to the caller. ${error}`);
  return abort(`The ${failedStep.kind} step "${failedStep.id}" failed and nothing can be done automatically: ${error}`);
}

/** What is wrong with a decision in release terms: a fix only after a known smoke failure, on the failed step's service. */
export function decisionIssues(decision: ReleaseReplanDecision, request: Pick<ReleaseReplanRequest, 'failedStep' | 'error' | 'target'>): string[] {
  const { failedStep, error, target } = request;
  if (decision.action !== 'insert_fix') return [];
  const { fixStep } = decision;
  if (!fixStep) return ['fixStep: required when action is "insert_fix".'];
  if (failedStep.kind !== 'smoke') return [`insert_fix only follows a failed smoke step; "${failedStep.id}" is a ${failedStep.kind} step.`];
  if (knownSmokeFailure(error) === null)
    return [`insert_fix needs a known failure pattern (${KNOWN_SMOKE_FIXES.join(', ')}); the error of "${failedStep.id}" names none.`];
  return [
    ...(fixStep.kind === 'fix' ? [] : [`fixStep.kind: expected "fix", got "${fixStep.kind}".`]),
    ...(fixStep.targetService === failedStep.targetService
      ? []
      : [`fixStep.targetService: expected "${failedStep.targetService}", the failed step's service.`]),
    ...releaseStepIssues(fixStep, target, 'replan'),
  ];
}

/**
 * A release decision as the engine's. insert_fix revises every step not yet done into
 * fix (carrying the failure pattern in its meta) → the failed step again (same id, now after the
 * fix, so its dependants need no rewiring) → every other remaining step unchanged.
 */
export function toEngineDecision(decision: ReleaseReplanDecision, failedStep: PlanStep, remaining: readonly PlanStep[], error: string): ReplanDecision {
  switch (decision.action) {
    case 'insert_fix': {
      const { fixStep } = decision;
      if (!fixStep) throw new Error('insert_fix without a fixStep');
      const retry = { ...failedStep, dependsOn: [...new Set([...failedStep.dependsOn, fixStep.id])] };
      return { action: 'revise', steps: [toEngineStep(fixStep, knownSmokeFailure(error) ?? undefined), retry, ...remaining], rationale: decision.rationale };
    }
    case 'proceed':
      return { action: 'skip', steps: null, rationale: decision.rationale };
    case 'abort':
      return { action: 'abort', steps: null, rationale: decision.rationale };
  }
}
