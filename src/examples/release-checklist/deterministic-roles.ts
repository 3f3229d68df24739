import { ZERO_USAGE } from '../../engine/usage.ts';
import type { ReleaseAdapters } from './adapters.ts';
import { draftReleasePlan } from './release-plan.ts';
import { decideReplan, KNOWN_SMOKE_FIXES, knownSmokeFailure } from './replan-policy.ts';
import type { ReleaseRoles } from './roles.ts';
import type { ReleasePlanStep, ReleaseTarget } from './schemas.ts';
import { describeBuild, describeDeploy, describeFix, describeHealth, describeSmoke, type StepVerdict } from './step-outcome.ts';

/**
 * The release roles without a model: the standard plan, the replan policy, and an executor that
 * calls the adapters directly. Deterministic and offline; every reply costs zero tokens.
 */
export function deterministicRoles(adapters: ReleaseAdapters): ReleaseRoles {
  return {
    plan: async ({ target }) => ({ value: draftReleasePlan(target), usage: ZERO_USAGE }),
    replan: async (request) => ({ value: decideReplan(request), usage: ZERO_USAGE }),
    async execute({ target, step, request }) {
      const verdict = await runStep(adapters, target, step, request.abortSignal);
      // One adapter call per step: what a tool call is for the model-backed executor.
      return { value: { stepId: step.id, kind: step.kind, ...verdict }, usage: ZERO_USAGE, toolCalls: 1 };
    },
  };
}

/** Runs one release step through the adapter its kind needs. */
export async function runStep(adapters: ReleaseAdapters, target: ReleaseTarget, step: ReleasePlanStep, abortSignal: AbortSignal): Promise<StepVerdict> {
  const { version, env } = target;
  const options = { abortSignal };
  if (step.kind === 'build') return describeBuild(version, await adapters.ci.fetchBuild(version, options));
  const service = step.targetService;
  if (service === null) return { success: false, output: '', error: `The ${step.kind} step "${step.id}" names no service` };
  switch (step.kind) {
    case 'smoke':
      return describeSmoke(await adapters.smoke.run(version, service, options));
    case 'fix': {
      const pattern = knownSmokeFailure(step.description);
      if (pattern === null) return { success: false, output: '', error: `The fix step "${step.id}" names no known fix (${KNOWN_SMOKE_FIXES.join(', ')})` };
      return describeFix(await adapters.smoke.applyFix(version, service, pattern, options));
    }
    case 'deploy':
      return describeDeploy(version, service, env, await adapters.deployer.deploy(version, service, env, options));
    case 'verify':
      return describeHealth(await adapters.verifier.checkHealth(version, service, options));
  }
}
