import { resolveSettings } from '../../engine/resolve-settings.ts';
import { runPlan } from '../../engine/run-plan.ts';
import { agentRoles } from './agent-roles.ts';
import { replanBudget, stepBudget } from './constants.ts';
import { DecisionLog } from './decision-log.ts';
import { deterministicRoles } from './deterministic-roles.ts';
import { toEnginePorts } from './engine-ports.ts';
import { resolveReleaseOptions, type RunReleaseOptions } from './options.ts';
import { releaseTask } from './release-plan.ts';
import { toReleaseResult, type ReleaseRunResult } from './release-result.ts';
import type { ReleaseEnv } from './schemas.ts';
import { releaseToolCatalogue } from './tools.ts';

/**
 * Releases `version` to `env` through the Plan & Execute engine: plan (one shared build, then
 * smoke → deploy → verify per service, the service chains in parallel), execute through the
 * CI / smoke / deploy / health adapters, and replan after a failure — a known smoke failure gets a
 * fix step and a smoke retry, anything else stops the release.
 *
 * Termination: resolves `succeeded` when every step is done; `aborted` when the replanner stops
 * the release (an unknown version, an unfixable smoke failure, an unhealthy deploy: rolling back
 * is the caller's call), when `abortSignal` fires (`run.status` `cancelled`), or when the engine
 * fails (`run.status` `failed`). Throws only InvalidOptionsError, for bad arguments, before any
 * adapter is called.
 *
 * @example
 * const release = await runRelease('1.4.3', 'staging', { onEvent: (event) => console.log(event.type) });
 * release.status;                                 // 'succeeded'
 * release.results.map((result) => result.kind);  // ['build', 'smoke', 'fix', 'smoke', 'deploy', 'verify']
 */
export async function runRelease(version: string, env: ReleaseEnv, options: RunReleaseOptions = {}): Promise<ReleaseRunResult> {
  const { target, adapters, agents } = resolveReleaseOptions(version, env, options);
  const { onEvent, abortSignal, concurrency } = options;
  const serviceCount = target.services.length;
  const settings = resolveSettings({ concurrency, maxReplans: replanBudget(serviceCount), maxSteps: stepBudget(serviceCount) });
  const tools = releaseToolCatalogue();
  const decisions = new DecisionLog();
  const roles = agents ? agentRoles(agents, adapters, tools) : deterministicRoles(adapters);
  const run = await runPlan({
    task: releaseTask(target),
    ...toEnginePorts(roles, target, decisions),
    tools,
    settings,
    abortSignal,
    onEvent: (event) => {
      decisions.observe(event);
      return onEvent?.(event);
    },
  });
  return toReleaseResult(target, run, decisions.list());
}
