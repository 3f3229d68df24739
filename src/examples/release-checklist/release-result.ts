import type { PlanRunResult } from '../../engine/result.ts';
import { fromEnginePlan, parseStepDescription } from './plan-mapping.ts';
import type { ReleasePlan, ReleaseReplanDecision, ReleaseStepKind, ReleaseStepResult, ReleaseTarget } from './schemas.ts';

/** Everything a release run produced. */
export interface ReleaseRunResult {
  /** `succeeded` when every step is done; `aborted` otherwise (the replanner stopped it, it was cancelled, or it failed; `run.status` says which). */
  readonly status: 'succeeded' | 'aborted';
  /** Whether the replanner was consulted (a fix inserted, or the release stopped after a failure). */
  readonly replanned: boolean;
  /** Every step attempt, in execution order, failed ones included. */
  readonly results: readonly ReleaseStepResult[];
  /** The final plan (fix steps included); null only when no valid plan was made. */
  readonly plan: ReleasePlan | null;
  /** The replan decisions the run applied, in order. */
  readonly decisions: readonly ReleaseReplanDecision[];
  /** The engine's full result: statuses, revisions, timings, usage, error. */
  readonly run: PlanRunResult;
}

/** The engine's result in release terms. */
export function toReleaseResult(target: ReleaseTarget, run: PlanRunResult, decisions: readonly ReleaseReplanDecision[]): ReleaseRunResult {
  const kinds = stepKinds(run);
  const results = run.steps.map((attempt): ReleaseStepResult => {
    const kind = kinds.get(attempt.stepId);
    if (!kind) throw new Error(`Step "${attempt.stepId}" ran but is in no plan`);
    return { stepId: attempt.stepId, kind, success: attempt.status === 'done', output: attempt.output ?? '', error: attempt.error };
  });
  const { initialPlan } = run;
  return {
    status: run.status === 'completed' ? 'succeeded' : 'aborted',
    replanned: decisions.length > 0,
    results,
    plan: initialPlan && fromEnginePlan(target, { goal: initialPlan.goal, steps: run.plan, rationale: initialPlan.rationale }),
    decisions,
    run,
  };
}

/** The kind of every step id any version of the plan had (a retried step keeps its id and kind). */
function stepKinds(run: PlanRunResult): Map<string, ReleaseStepKind> {
  const steps = [...(run.initialPlan?.steps ?? []), ...run.revisions.flatMap((revision) => revision.stepsAfter)];
  const kinds = new Map<string, ReleaseStepKind>();
  for (const step of steps) {
    const label = parseStepDescription(step.description);
    if (label) kinds.set(step.id, label.kind);
  }
  return kinds;
}
