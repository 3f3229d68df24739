import { Agent } from '@mastra/core/agent';
import { describeValue } from '../../engine/option-checks.ts';
import { InvalidOptionsError, runPlan, type PlanRunListener } from '../../index.ts';
import { createReleaseAdapters, isReleaseAdapters, type ReleaseAdapters } from './adapters.ts';
import type { ReleaseAgents } from './agents.ts';
import { toReleaseResult, type ReleaseRunResult } from './release-result.ts';
import { releaseRunSource, resolveReleaseTarget } from './release-run.ts';
import type { ReleaseEnv, ReleaseTarget } from './schemas.ts';

export type { ReleaseRunResult } from './release-result.ts';

/** Options of `runRelease`. */
export interface RunReleaseOptions {
  /** The services to release: one shared build, then a smoke → deploy → verify chain each, in parallel. @default ['web'] */
  readonly services?: readonly string[];
  /** Receives every engine event as it happens; a throwing listener never breaks the run. */
  readonly onEvent?: PlanRunListener;
  /** Cancels the run: it resolves `aborted`, with `run.status` `cancelled` and the results so far. */
  readonly abortSignal?: AbortSignal;
  /** Steps at once, across all service chains. @default 4 (the engine's default) */
  readonly concurrency?: number;
  /** Model-backed roles (see createReleaseAgents); without them the roles are deterministic and offline. */
  readonly agents?: ReleaseAgents;
  /** The integrations to drive; their state is this run's. @default a fresh createReleaseAdapters() */
  readonly adapters?: ReleaseAdapters;
}

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
  const run = await runPlan({ ...releaseRunSource(target, { adapters, agents, concurrency }), abortSignal, onEvent });
  return toReleaseResult(target, run);
}

/** Checks the arguments of `runRelease` before anything runs; throws InvalidOptionsError naming the bad value. */
function resolveReleaseOptions(
  version: unknown,
  env: unknown,
  options: RunReleaseOptions,
): { target: ReleaseTarget; adapters: ReleaseAdapters; agents: ReleaseAgents | undefined } {
  const { services = ['web'], agents, adapters = createReleaseAdapters() } = options;
  const target = resolveReleaseTarget(version, env, services);
  for (const role of ['planner', 'executor', 'replanner'] as const) {
    const agent = agents?.[role];
    if (agents && !(agent instanceof Agent) && !(role === 'replanner' && agent === undefined)) {
      throw new InvalidOptionsError(
        `Expected \`agents.${role}\` to be a Mastra Agent${role === 'replanner' ? ' or undefined' : ''}, got ${describeValue(agent)}`,
      );
    }
  }
  if (!isReleaseAdapters(adapters)) throw new InvalidOptionsError(`Expected \`adapters\` to come from createReleaseAdapters(), got ${describeValue(adapters)}`);
  return { target, adapters, agents };
}
