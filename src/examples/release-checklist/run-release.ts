import { Agent } from '@mastra/core/agent';
import { describeValue } from '../../engine/option-checks.ts';
import { InvalidOptionsError, resolveSettings, runPlan, type PlanRunListener, type PlanRunResult } from '../../index.ts';
import { createReleaseAdapters, isReleaseAdapters, type ReleaseAdapters } from './adapters.ts';
import { agentRoles, type ReleaseAgents } from './agents.ts';
import { deterministicRoles } from './deterministic-roles.ts';
import { toEnginePorts } from './engine-ports.ts';
import { fromEngineStep, releaseMetaOf, releaseTask } from './release-plan.ts';
import {
  ReleaseEnvSchema,
  type ReleaseEnv,
  type ReleasePlan,
  type ReleaseReplanDecision,
  type ReleaseStepMeta,
  type ReleaseStepResult,
  type ReleaseTarget,
} from './schemas.ts';
import { releaseToolCatalogue } from './tools.ts';

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

/** Everything a release run produced. */
export interface ReleaseRunResult {
  /** `succeeded` when every step is done; `aborted` otherwise (the replanner stopped it, it was cancelled, or it failed; `run.status` says which). */
  readonly status: 'succeeded' | 'aborted';
  /** Whether the replanner was consulted (a fix inserted, or the release stopped after a failure). */
  readonly replanned: boolean;
  /** Every step attempt, in execution order, failed ones included, each with its kind and target service. */
  readonly results: readonly ReleaseStepResult[];
  /** The final plan (fix steps included); null only when no valid plan was made. */
  readonly plan: ReleasePlan | null;
  /** The replan decisions the run applied, in order. */
  readonly decisions: readonly ReleaseReplanDecision[];
  /** The engine's full result: statuses, revisions, timings, usage, error; each step's release data in its `meta`. */
  readonly run: PlanRunResult;
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
  const serviceCount = target.services.length;
  // Replans: one fix per service, plus the decision that ends the run. Steps: the build, then smoke, deploy, verify and a fix per service.
  const settings = resolveSettings({ concurrency, maxReplans: serviceCount + 1, maxPlanSteps: 1 + 4 * serviceCount });
  const tools = releaseToolCatalogue();
  const roles = agents ? agentRoles(agents, adapters, tools) : deterministicRoles(adapters);
  // A decision counts once the engine applied it (`replan-decided`); one it rejected is replaced by the next proposal.
  const decisions: ReleaseReplanDecision[] = [];
  let proposal: ReleaseReplanDecision | null = null;
  const ports = toEnginePorts(roles, target, (decision) => void (proposal = decision));
  const run = await runPlan({
    task: releaseTask(target),
    ...ports,
    tools,
    settings,
    abortSignal,
    onEvent: (event) => {
      if (event.type === 'replan-decided' && proposal) decisions.push(proposal);
      if (event.type === 'replan-decided') proposal = null;
      return onEvent?.(event);
    },
  });
  return toReleaseResult(target, run, decisions);
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;

/** Checks the arguments of `runRelease` before anything runs; throws InvalidOptionsError naming the bad value. */
function resolveReleaseOptions(
  version: unknown,
  env: unknown,
  options: RunReleaseOptions,
): { target: ReleaseTarget; adapters: ReleaseAdapters; agents: ReleaseAgents | undefined } {
  const { services = ['web'], agents, adapters = createReleaseAdapters() } = options;
  if (typeof version !== 'string' || !VERSION.test(version))
    throw new InvalidOptionsError(`Expected \`version\` to be a version such as "1.4.3", got ${describeValue(version)}`);
  const parsedEnv = ReleaseEnvSchema.safeParse(env);
  if (!parsedEnv.success) throw new InvalidOptionsError(`Expected \`env\` to be "staging" or "production", got ${describeValue(env)}`);
  if (!Array.isArray(services) || services.length === 0)
    throw new InvalidOptionsError(`Expected \`services\` to be a non-empty array of service names, got ${describeValue(services)}`);
  const bad = services.find((service) => typeof service !== 'string' || !SERVICE_NAME.test(service));
  if (bad !== undefined)
    throw new InvalidOptionsError(`Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got ${describeValue(bad)}`);
  const repeated = services.find((service, index) => services.indexOf(service) !== index);
  if (repeated !== undefined) throw new InvalidOptionsError(`Expected \`services\` to name each service once, got "${repeated}" twice`);
  for (const role of ['planner', 'executor', 'replanner'] as const) {
    const agent = agents?.[role];
    if (agents && !(agent instanceof Agent) && !(role === 'replanner' && agent === undefined)) {
      throw new InvalidOptionsError(
        `Expected \`agents.${role}\` to be a Mastra Agent${role === 'replanner' ? ' or undefined' : ''}, got ${describeValue(agent)}`,
      );
    }
  }
  if (!isReleaseAdapters(adapters)) throw new InvalidOptionsError(`Expected \`adapters\` to come from createReleaseAdapters(), got ${describeValue(adapters)}`);
  return { target: { version, env: parsedEnv.data, services: [...services] }, adapters, agents };
}

/** The engine's result in release terms: each attempt's kind and service come from its step's meta. */
function toReleaseResult(target: ReleaseTarget, run: PlanRunResult, decisions: readonly ReleaseReplanDecision[]): ReleaseRunResult {
  // A step keeps its id and meta across revisions; a step a revision replaced is only in the plan versions before it.
  const metas = new Map<string, ReleaseStepMeta>();
  for (const step of [...(run.initialPlan?.steps ?? []), ...run.revisions.flatMap((revision) => revision.stepsBefore), ...run.plan])
    metas.set(step.id, releaseMetaOf(step));
  const results = run.steps.map((attempt): ReleaseStepResult => {
    const meta = metas.get(attempt.stepId);
    if (!meta) throw new Error(`Step "${attempt.stepId}" ran but is in no plan`);
    return {
      stepId: attempt.stepId,
      kind: meta.kind,
      targetService: meta.targetService,
      success: attempt.status === 'done',
      output: attempt.output ?? '',
      error: attempt.error,
    };
  });
  const { initialPlan } = run;
  return {
    status: run.status === 'completed' ? 'succeeded' : 'aborted',
    replanned: decisions.length > 0,
    results,
    plan: initialPlan && {
      version: target.version,
      env: target.env,
      goal: initialPlan.goal,
      steps: run.plan.map(fromEngineStep),
      rationale: initialPlan.rationale,
    },
    decisions,
    run,
  };
}
