import { raceAbort } from './abort.ts';
import { ModelOutputError, PlanRejectedError, PlanValidationError } from './errors.ts';
import type { Plan } from './plan-schema.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { PlanTracker } from './tracker.ts';
import { validatePlan } from './validate-plan.ts';

/**
 * Asks the planner for a plan and validates it; an invalid plan (or a malformed answer) goes back
 * with the validator's messages, at most `maxPlanRepairs` times, then the run fails.
 */
export async function makePlan(context: RunContext): Promise<Plan> {
  const { task, planner, tools, settings } = context.input;
  const toolNames = tools.map((tool) => tool.name);
  let feedback: readonly string[] = [];
  let rejected: unknown = null;
  for (let attempt = 1; attempt <= settings.maxPlanRepairs + 1; attempt++) {
    try {
      const { value: candidate } = await context.call('planner', (abortSignal) =>
        planner.plan({ task, tools, maxSteps: settings.maxSteps, feedback, abortSignal }),
      );
      const verdict = validatePlan(candidate, { toolNames, maxSteps: settings.maxSteps });
      if (verdict.ok) {
        context.emit({ type: 'plan-created', plan: verdict.plan, attempt });
        return verdict.plan;
      }
      [feedback, rejected] = [verdict.issues, candidate];
    } catch (error) {
      if (!(error instanceof ModelOutputError)) throw error;
      [feedback, rejected] = [error.issues, error.rawText];
    }
    context.emit({ type: 'plan-invalid', issues: feedback, attempt });
  }
  throw new RunEnd('failed', new PlanValidationError(feedback, rejected));
}

/**
 * Starts tracking `plan`, after the `approvePlan` gate when one is set: false rejects the run; an
 * edited plan is validated and recorded as an `edit` revision.
 */
export async function approveAndTrack(context: RunContext, plan: Plan): Promise<void> {
  context.tracker = PlanTracker.fromPlan(plan);
  const { approvePlan } = context.input.settings;
  if (!approvePlan) return;
  applyApproval(context, await raceAbort(Promise.resolve(approvePlan(structuredClone(plan))), context.signal));
}

/**
 * Applies a verdict on the tracked plan: true approves it, false rejects the run, anything else
 * is an edited plan, validated and recorded as an `edit` revision (invalid: the run fails).
 */
export function applyApproval(context: RunContext, verdict: unknown): void {
  const plan = context.tracker.snapshot().initialPlan;
  if (verdict === false) {
    context.emit({ type: 'plan-rejected', plan });
    throw new RunEnd('rejected', new PlanRejectedError());
  }
  if (verdict === true) {
    context.emit({ type: 'plan-approved', plan, edited: false });
    return;
  }
  const toolNames = context.input.tools.map((tool) => tool.name);
  const edited = validatePlan(verdict, { toolNames, maxSteps: context.input.settings.maxSteps });
  if (!edited.ok) throw new RunEnd('failed', new PlanValidationError(edited.issues, verdict));
  context.tracker.revise(edited.plan.steps, 'Plan edited at approval', null, 'edit');
  context.emit({ type: 'plan-approved', plan: edited.plan, edited: true });
}
