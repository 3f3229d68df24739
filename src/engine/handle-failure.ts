import { RunAbortedError, StepFailedError } from './errors.ts';
import type { StepFailure } from './policy.ts';
import { askWithRepairs } from './repair-loop.ts';
import type { ReplanDecision } from './plan-schema.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { catalogueContext, tooLong, validateSteps } from './validate-plan.ts';

/**
 * Carries out what the policy chose for a failed step, once no other step is running:
 * replan (revise / skip / abort, as the replanner decides), skip, abort, or fail the run.
 */
export async function handleFailure(context: RunContext, failure: StepFailure): Promise<void> {
  // A revision made for an earlier failure may already have replaced this step.
  if (!context.tracker.list().some((step) => step.id === failure.stepId && step.status === 'failed')) return;
  const { action } = failure;
  switch (action.type) {
    case 'replan':
      return applyDecision(context, failure, await askReplanner(context, failure));
    case 'skip':
      skipStep(context, failure.stepId, action.reason);
      return;
    case 'abort':
      throw new RunEnd('aborted', new RunAbortedError(action.reason));
    case 'fail':
      throw new RunEnd('failed', new StepFailedError(failure.stepId, action.reason));
  }
}

/** Asks the replanner, re-asking with the validator's messages while repairs are left. */
async function askReplanner(context: RunContext, failure: StepFailure): Promise<ReplanDecision> {
  const { planner, tools, settings } = context.input;
  if (context.replansUsed >= settings.maxReplans) {
    throw new RunEnd(
      'failed',
      new StepFailedError(failure.stepId, `Step "${failure.stepId}" failed and the replan budget (${settings.maxReplans}) is spent: ${failure.error}`),
    );
  }
  context.replansUsed++;
  const { tracker } = context;
  const request = {
    task: context.task,
    goal: tracker.goal,
    tools,
    completed: tracker.completed(),
    failedStep: tracker.planSteps().find((step) => step.id === failure.stepId)!,
    error: failure.error,
    remaining: tracker.planSteps().filter((step) => step.id !== failure.stepId && tracker.get(step.id).status !== 'done'),
    otherFailures: context.pendingFailures.filter((other) => other.stepId !== failure.stepId).map(({ stepId, error }) => ({ stepId, error })),
    maxPlanSteps: settings.maxPlanSteps,
  };
  const { value } = await askWithRepairs(context, {
    role: 'replanner',
    ask: (feedback, abortSignal) => planner.replan({ ...request, feedback, abortSignal }),
    check: (decision: ReplanDecision) => {
      const issues = decisionIssues(context, decision);
      return issues.length === 0 ? { ok: true, value: decision } : { ok: false, issues };
    },
  });
  return value;
}

function decisionIssues(context: RunContext, decision: ReplanDecision): string[] {
  const longRationale = tooLong('The rationale', decision.rationale);
  if (decision.action !== 'revise') return longRationale;
  if (!decision.steps) return [...longRationale, 'The action is "revise" but steps is null; give the steps that replace every step not yet done.'];
  const doneSteps = context.tracker.list().filter((step) => step.status === 'done');
  return [...longRationale, ...validateSteps(decision.steps, catalogueContext(context.input.tools, context.input.settings.maxPlanSteps, doneSteps))];
}

function applyDecision(context: RunContext, failure: StepFailure, decision: ReplanDecision): void {
  context.emit({ type: 'replan-decided', stepId: failure.stepId, action: decision.action, rationale: decision.rationale });
  switch (decision.action) {
    case 'revise': {
      const revision = context.tracker.revise(decision.steps ?? [], decision.rationale, failure.stepId);
      context.emit({ type: 'plan-revised', revision });
      return;
    }
    case 'skip':
      skipStep(context, failure.stepId, decision.rationale);
      return;
    case 'abort':
      throw new RunEnd('aborted', new RunAbortedError(decision.rationale));
  }
}

function skipStep(context: RunContext, stepId: string, reason: string): void {
  const revision = context.tracker.skip(stepId, reason);
  context.emit({ type: 'step-skipped', stepId, reason });
  context.emit({ type: 'plan-revised', revision });
}
