import type { Plan, PlanStep } from '../../index.ts';
import {
  ReleaseStepMetaSchema,
  TOOL_FOR_KIND,
  type ReleasePlan,
  type ReleasePlanStep,
  type ReleaseStepKind,
  type ReleaseStepMeta,
  type ReleaseTarget,
} from './schemas.ts';

/** The task text the engine (and every model prompt) carries for `target`. */
export function releaseTask({ version, env, services }: ReleaseTarget): string {
  return `Release ${version} to ${env} for ${services.join(', ')}: fetch the build once, then smoke-test, deploy and verify each service.`;
}

/**
 * The standard release plan: one shared build, then a smoke → deploy → verify chain per service.
 * The chains share nothing but the build, so the engine runs them in parallel.
 */
export function draftReleasePlan({ version, env, services }: ReleaseTarget): ReleasePlan {
  const steps: ReleasePlanStep[] = [
    {
      id: 'build',
      kind: 'build',
      targetService: null,
      description: `Fetch the CI build of ${version} and check it is green`,
      toolHint: 'fetchBuild',
      dependsOn: [],
    },
  ];
  for (const service of services) {
    steps.push(
      {
        id: `smoke-${service}`,
        kind: 'smoke',
        targetService: service,
        description: `Run the smoke suite of ${version} against ${service}`,
        toolHint: 'runSmoke',
        dependsOn: ['build'],
      },
      {
        id: `deploy-${service}`,
        kind: 'deploy',
        targetService: service,
        description: `Deploy ${version} of ${service} to ${env}`,
        toolHint: 'deploy',
        dependsOn: [`smoke-${service}`],
      },
      {
        id: `verify-${service}`,
        kind: 'verify',
        targetService: service,
        description: `Check ${service} is healthy on ${version}`,
        toolHint: 'checkHealth',
        dependsOn: [`deploy-${service}`],
      },
    );
  }
  return {
    version,
    env,
    goal: `Release ${version} of ${services.join(', ')} to ${env}`,
    steps,
    rationale: 'One shared build, then a smoke → deploy → verify chain per service; the chains are independent, so they run in parallel.',
  };
}

/**
 * What is wrong with a plan in release terms (the engine then checks ids, dependencies and
 * cycles): version and environment as requested, no fix steps, each step's tool matching its
 * kind, only the services being released, and a build, smoke, deploy and verify for each service.
 */
export function releasePlanIssues(plan: ReleasePlan, target: ReleaseTarget): string[] {
  const issues: string[] = [];
  if (plan.version !== target.version) issues.push(`version: expected "${target.version}", got "${plan.version}".`);
  if (plan.env !== target.env) issues.push(`env: expected "${target.env}", got "${plan.env}".`);
  if (!plan.steps.some((step) => step.kind === 'build')) issues.push('The plan has no build step; start with a "build" step (targetService null).');
  issues.push(...plan.steps.flatMap((step) => releaseStepIssues(step, target, 'plan')));
  for (const service of target.services) {
    const missing = (['smoke', 'deploy', 'verify'] as const).filter((kind) => !plan.steps.some((step) => step.kind === kind && step.targetService === service));
    if (missing.length) issues.push(`Service "${service}" has no ${missing.join(', ')} step; every service needs smoke → deploy → verify.`);
  }
  return issues;
}

/** What is wrong with one step: tool vs kind, target service; `fix` only from the replanner. */
export function releaseStepIssues(step: ReleasePlanStep, target: ReleaseTarget, source: 'plan' | 'replan'): string[] {
  const issues: string[] = [];
  if (step.kind === 'fix' && source === 'plan') issues.push(`Step "${step.id}" is a fix step; only the replanner inserts fix steps.`);
  if (step.toolHint !== TOOL_FOR_KIND[step.kind])
    issues.push(`Step "${step.id}" is a ${step.kind} step; its toolHint must be "${TOOL_FOR_KIND[step.kind]}", not "${step.toolHint}".`);
  if (step.kind === 'build' && step.targetService !== null)
    issues.push(`Step "${step.id}" is the build, which every service shares; its targetService must be null.`);
  if (step.kind !== 'build' && (step.targetService === null || !target.services.includes(step.targetService))) {
    issues.push(`Step "${step.id}" targets ${JSON.stringify(step.targetService)}; use one of ${target.services.map((service) => `"${service}"`).join(', ')}.`);
  }
  return issues;
}

const EXPECTED_OUTPUT: Readonly<Record<ReleaseStepKind, string>> = Object.freeze({
  build: "The build's status, commit sha and artifact.",
  smoke: 'Whether the smoke suite passed, and the failure pattern if it did not.',
  deploy: 'The id of the new deployment.',
  verify: 'Whether the service is healthy, and the failure pattern if it is not.',
  fix: 'Confirmation that the fix was applied.',
});

/** A release step as the engine runs it: kind and service travel in `meta` (with the pattern, for a fix step). */
export function toEngineStep(step: ReleasePlanStep, fix?: string): PlanStep {
  const meta: ReleaseStepMeta = { kind: step.kind, targetService: step.targetService, ...(fix === undefined ? {} : { fix }) };
  return {
    id: step.id,
    description: step.description,
    expectedOutput: EXPECTED_OUTPUT[step.kind],
    dependsOn: [...step.dependsOn],
    toolHint: step.toolHint,
    meta,
  };
}

/** A release plan as the engine runs it. */
export function toEnginePlan(plan: ReleasePlan): Plan {
  return { goal: plan.goal, steps: plan.steps.map((step) => toEngineStep(step)), rationale: plan.rationale };
}

/** The release meta of an engine step, checked; throws for a step this example did not make. */
export function releaseMetaOf(step: Pick<PlanStep, 'id' | 'meta'>): ReleaseStepMeta {
  const meta = ReleaseStepMetaSchema.safeParse(step.meta);
  if (!meta.success) throw new Error(`Step "${step.id}" is not a release step: its meta is ${JSON.stringify(step.meta) ?? 'missing'}`);
  return meta.data;
}

/** An engine step back in release terms. */
export function fromEngineStep(step: PlanStep): ReleasePlanStep {
  const { kind, targetService } = releaseMetaOf(step);
  return { id: step.id, kind, targetService, description: step.description, toolHint: TOOL_FOR_KIND[kind], dependsOn: [...step.dependsOn] };
}
