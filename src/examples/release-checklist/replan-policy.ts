import type { ReleaseReplanRequest } from './roles.ts';
import type { ReleasePlanStep, ReleaseReplanDecision } from './schemas.ts';

/** Smoke failure patterns with a known remedy the smoke runner can apply. */
export const KNOWN_SMOKE_FIXES: readonly string[] = Object.freeze(['missing_migration']);

/** The known smoke failure pattern named in `error`; null when none is. */
export function knownSmokeFailure(error: string): string | null {
  return KNOWN_SMOKE_FIXES.find((pattern) => new RegExp(`\\b${pattern}\\b`).test(error)) ?? null;
}

/** The id of the fix step for `service`: one fix per service and run. */
export const fixStepId = (service: string) => `fix-${service}`;

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
    if (completed.some((step) => step.id === fixStepId(service))) {
      return abort(`The smoke suite of ${subject} still fails after the ${pattern} fix; a human has to look.`);
    }
    return {
      action: 'insert_fix',
      fixStep: fixStep(failedStep, service, pattern, target.version),
      rationale: `${pattern} is a known smoke failure: apply its fix to ${service}, then run the smoke suite again before deploying.`,
    };
  }
  if (failedStep.kind === 'build') return abort(`There is nothing to release: ${error}`);
  if (failedStep.kind === 'verify') return abort(`${subject} is deployed but unhealthy; rolling back is left to the caller. ${error}`);
  return abort(`The ${failedStep.kind} step "${failedStep.id}" failed and nothing can be done automatically: ${error}`);
}

function fixStep(failedStep: ReleasePlanStep, service: string, pattern: string, version: string): ReleasePlanStep {
  return {
    id: fixStepId(service),
    kind: 'fix',
    targetService: service,
    description: `Apply the ${pattern} fix to ${service} for ${version}`,
    toolHint: 'applyFix',
    dependsOn: [...failedStep.dependsOn],
  };
}
