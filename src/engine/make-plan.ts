import { raceAbort } from './abort.ts';
import { PlanRejectedError, PlanValidationError, StepTimeoutError } from './errors.ts';
import type { Plan, PlanStep } from './plan-schema.ts';
import { askWithRepairs } from './repair-loop.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { PlanTracker } from './tracker.ts';
import type { ApprovePlan } from './settings.ts';
import { cachedPlan } from './cached-plans.ts';
import { cutText } from './cut-text.ts';
import { EarlySteps } from './early-steps.ts';
import type { CompletedStep, StepReply } from './ports.ts';
import { attemptTimeoutMs } from './run-step.ts';
import { timeLimit } from './time-limit.ts';
import { catalogueContext, validatePlan } from './validate-plan.ts';

/** What approving a plan can say: true runs it, false rejects the run, a Plan replaces it. */
export type ApprovalVerdict = boolean | Plan;

/**
 * Takes the plan from the plan cache when it holds a valid one for this run; otherwise asks the
 * planner and validates the plan: an invalid plan (or a malformed answer) goes back with the
 * validator's messages, at most `maxPlanRepairs` times, then the run fails. Tracks it.
 * With `early` (the plain loop's `streamPlan`), steps the planner streams start at once (see
 * EarlySteps); once the plan is made, those it holds unchanged wait for the loop to take them.
 */
export async function makePlan(context: RunContext, { early = false }: { readonly early?: boolean } = {}): Promise<void> {
  const { planner, tools, settings } = context.input;
  const validation = catalogueContext(tools, settings.maxPlanSteps);
  const cached = await cachedPlan(context, validation);
  if (cached) return context.track(PlanTracker.fromPlan(cached));
  const onStepWritten = early ? startEarly(context) : undefined;
  try {
    const { value: plan, attempt } = await askWithRepairs(context, {
      role: 'planner',
      ask: (feedback, abortSignal) =>
        planner.plan({ task: context.task, tools, maxPlanSteps: settings.maxPlanSteps, feedback, abortSignal, ...(onStepWritten ? { onStepWritten } : {}) }),
      check: (candidate) => {
        const verdict = validatePlan(candidate, validation);
        return verdict.ok ? { ok: true, value: verdict.plan } : verdict;
      },
    });
    context.dropEarlySteps(plan.steps);
    context.emit({ type: 'plan-created', plan, attempt });
    context.track(PlanTracker.fromPlan(plan));
  } catch (error) {
    context.dropEarlySteps();
    throw error;
  }
}

/** Sets up the run's early steps and returns what the planner calls with each written step. */
function startEarly(context: RunContext): (step: PlanStep) => void {
  const { executor, settings } = context.input;
  const maxTokens = settings.budget?.maxTokens;
  const timeoutMs = attemptTimeoutMs(settings);
  // Bounded as a loop attempt is, from its start: the run's cancellation and the attempt's time limit.
  const start = async (step: PlanStep, dependencies: readonly CompletedStep[], dropped: AbortSignal): Promise<StepReply> => {
    const limit = timeLimit(AbortSignal.any([dropped, context.signal]), timeoutMs);
    const request = {
      task: context.task,
      step,
      dependencies,
      attempt: 1,
      previousError: null,
      maxIterations: settings.maxStepIterations,
      abortSignal: limit.signal,
    };
    try {
      return await raceAbort(
        Promise.resolve().then(() => executor.execute(request)),
        limit.signal,
      );
    } catch (error) {
      throw limit.timedOut() ? new StepTimeoutError(step.id, timeoutMs) : error;
    } finally {
      limit.clear();
    }
  };
  const early = new EarlySteps(start, {
    limit: settings.concurrency,
    maxSteps: settings.maxPlanSteps,
    // The budget counts what the early attempts spent before the meter does.
    mayStart: (spentTokens) => !context.signal.aborted && (maxTokens === undefined || context.meter.totalTokens + spentTokens < maxTokens),
    // As the loop passes a done step's output on: redacted, cut.
    outputOf: (reply) => {
      const { success, output } = context.redact(reply.value);
      return success ? cutText(output, settings.maxStepOutputChars) : null;
    },
  });
  context.earlySteps = early;
  // Redacted as the plan will be, so that the same step compares equal.
  return (step) => early.offer(context.redact(step));
}

/** The verdict of an `approvePlan` gate on the tracked plan (given a copy, so it cannot change the run's). */
export async function askApproval(context: RunContext, approvePlan: ApprovePlan): Promise<ApprovalVerdict> {
  return raceAbort(Promise.resolve(approvePlan(structuredClone(context.tracker.snapshot().initialPlan))), context.signal);
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
  const edited = validatePlan(verdict, catalogueContext(context.input.tools, context.input.settings.maxPlanSteps));
  if (!edited.ok) throw new RunEnd('failed', new PlanValidationError(edited.issues, verdict));
  context.tracker.revise(edited.plan.steps, 'Plan edited at approval', null, 'edit');
  context.emit({ type: 'plan-approved', plan: edited.plan, edited: true });
}
