/**
 * The one place where release terms meet the engine's: a ReleasePlanStep travels through the
 * engine as a PlanStep whose description starts with `[kind service]` (`[build]` for the shared
 * build) and whose toolHint is the kind's tool; decisions map insert_fix → revise, proceed → skip,
 * abort → abort.
 */
import type { Plan, PlanStep, ReplanDecision } from '../../engine/plan-schema.ts';
import { RELEASE_TOOL_NAMES, ReleaseStepKindSchema, type ReleasePlan, type ReleasePlanStep, type ReleaseReplanDecision, type ReleaseStepKind, type ReleaseTarget, type ReleaseToolName } from './schemas.ts';

/** The tool that does each kind of step. */
export const TOOL_FOR_KIND: Readonly<Record<ReleaseStepKind, ReleaseToolName>> = Object.freeze({
  build: 'fetchBuild',
  smoke: 'runSmoke',
  deploy: 'deploy',
  verify: 'checkHealth',
  fix: 'applyFix',
});

const EXPECTED_OUTPUT: Readonly<Record<ReleaseStepKind, string>> = Object.freeze({
  build: "The build's status, commit sha and artifact.",
  smoke: 'Whether the smoke suite passed, and the failure pattern if it did not.',
  deploy: 'The id of the new deployment.',
  verify: 'Whether the service is healthy, and the failure pattern if it is not.',
  fix: 'Confirmation that the fix was applied.',
});

const LABEL = /^\[(\w+)(?: ([^\]\s]+))?\] ([\s\S]*)$/;

/** The parts of an encoded step description. */
export interface StepLabel {
  readonly kind: ReleaseStepKind;
  readonly targetService: string | null;
  /** The description without the `[kind service]` prefix. */
  readonly text: string;
}

/** `[smoke web] Run …` → kind, service and text; null when the description carries no release label. */
export function parseStepDescription(description: string): StepLabel | null {
  const match = LABEL.exec(description);
  const kind = ReleaseStepKindSchema.safeParse(match?.[1]);
  if (!match || !kind.success) return null;
  return { kind: kind.data, targetService: match[2] ?? null, text: match[3] ?? '' };
}

/** A release step as the engine runs it. */
export function toPlanStep(step: ReleasePlanStep): PlanStep {
  const label = step.targetService === null ? `[${step.kind}]` : `[${step.kind} ${step.targetService}]`;
  return { id: step.id, description: `${label} ${step.description}`, expectedOutput: EXPECTED_OUTPUT[step.kind], dependsOn: [...step.dependsOn], toolHint: step.toolHint };
}

/** An engine step back as the release step it was made from; throws for a step {@link toPlanStep} did not make. */
export function fromPlanStep(step: PlanStep): ReleasePlanStep {
  const label = parseStepDescription(step.description);
  const toolHint = RELEASE_TOOL_NAMES.find((name) => name === step.toolHint);
  if (!label || !toolHint) throw new Error(`Step "${step.id}" is not a release step: ${JSON.stringify(step.description)} (tool ${String(step.toolHint)})`);
  return { id: step.id, kind: label.kind, targetService: label.targetService, description: label.text, toolHint, dependsOn: [...step.dependsOn] };
}

/** A release plan as the engine runs it. */
export function toEnginePlan(plan: ReleasePlan): Plan {
  return { goal: plan.goal, steps: plan.steps.map(toPlanStep), rationale: plan.rationale };
}

/** The engine's plan back in release terms. */
export function fromEnginePlan(target: ReleaseTarget, plan: { goal: string; steps: readonly PlanStep[]; rationale: string | null }): ReleasePlan {
  return { version: target.version, env: target.env, goal: plan.goal, steps: plan.steps.map(fromPlanStep), rationale: plan.rationale };
}

/**
 * A release decision as the engine's. insert_fix revises every step not yet done into
 * fix → the failed step again (same id, now after the fix, so its dependants need no rewiring)
 * → every other remaining step unchanged, other services' chains included.
 */
export function toEngineDecision(decision: ReleaseReplanDecision, failedStep: PlanStep, remaining: readonly PlanStep[]): ReplanDecision {
  switch (decision.action) {
    case 'insert_fix': {
      if (!decision.fixStep) throw new Error('insert_fix without a fixStep');
      const retry = { ...failedStep, dependsOn: [...new Set([...failedStep.dependsOn, decision.fixStep.id])] };
      return { action: 'revise', steps: [toPlanStep(decision.fixStep), retry, ...remaining], rationale: decision.rationale };
    }
    case 'proceed':
      return { action: 'skip', steps: null, rationale: decision.rationale };
    case 'abort':
      return { action: 'abort', steps: null, rationale: decision.rationale };
  }
}
