import type { PlanRunResult, PlanStep } from '../../index.ts';
import { fromEngineStep, releaseMetaOf } from './release-plan.ts';
import type { ReleasePlan, ReleaseReplanDecision, ReleaseStepMeta, ReleaseStepResult, ReleaseTarget } from './schemas.ts';

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

/** The prefix of RunAbortedError's message; the replanner's rationale follows it. */
const ABORTED = 'The run was aborted: ';

/** The engine's result in release terms: each attempt's kind and service come from its step's meta, the decisions from the plan's history. */
export function toReleaseResult(target: ReleaseTarget, run: PlanRunResult): ReleaseRunResult {
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
  const decisions = releaseDecisionsOf(run);
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

/**
 * The replan decisions a release run applied, in order, read back from its result (a run's
 * workflow steps may run in different processes, so nothing else remembers them): each revision
 * is an `insert_fix` (the step it added is the fix) and each skip a `proceed`; a replanner abort
 * ends the run with RUN_ABORTED, whose message carries the rationale.
 */
export function releaseDecisionsOf(run: PlanRunResult): ReleaseReplanDecision[] {
  const decisions = run.revisions.flatMap((revision): ReleaseReplanDecision[] => {
    if (revision.kind === 'skip') return [{ action: 'proceed', fixStep: null, rationale: revision.reason }];
    if (revision.kind !== 'revise') return [];
    const fix = addedFix(revision.stepsBefore, revision.stepsAfter);
    return [{ action: 'insert_fix', fixStep: fix && fromEngineStep(fix), rationale: revision.reason }];
  });
  const { error } = run;
  if (error?.code === 'RUN_ABORTED' && error.message.startsWith(ABORTED)) {
    decisions.push({ action: 'abort', fixStep: null, rationale: error.message.slice(ABORTED.length) });
  }
  return decisions;
}

/** The fix step a revision inserted: a fix step that was not in the plan before it (or, failing that, the last fix step after it). */
function addedFix(before: readonly PlanStep[], after: readonly PlanStep[]): PlanStep | null {
  const fixes = after.filter((step) => releaseMetaOf(step).kind === 'fix');
  return fixes.find((step) => !before.some((old) => old.id === step.id)) ?? fixes.at(-1) ?? null;
}
