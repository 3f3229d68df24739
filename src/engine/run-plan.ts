import { InvalidOptionsError, UnexpectedRunError } from './errors.ts';
import { approveAndTrack, makePlan } from './make-plan.ts';
import { executeReadySteps, handlePendingFailures, lastOutput, synthesize, toRunEnd } from './phases.ts';
import type { PlanRunResult } from './result.ts';
import { RunContext } from './run-context.ts';
import type { RunPlanInput } from './run-options.ts';
import { isPlanSettled } from './scheduler.ts';

/**
 * The plain TypeScript step loop: plan (validated, repaired), approve, run ready steps in
 * parallel up to `concurrency`, handle each failure once the running steps settle, synthesise.
 *
 * Termination: resolves (never rejects) when every step is done or skipped and the output is
 * merged (`completed`), the replanner or the token budget stops it (`aborted`), no valid plan
 * exists or a failure cannot be replanned (`failed`), the signal fires (`cancelled`), or the
 * approval gate says no (`rejected`). Partial results are kept in every case.
 */
export async function runPlan(input: RunPlanInput): Promise<PlanRunResult> {
  const context = new RunContext(input);
  context.emit({ type: 'run-started', task: input.task });
  return drive(context);
}

/**
 * Carries on a run checkpointed in `input.store` under `input.runId` after a crash or a stop:
 * done steps keep their outputs and are not run again, interrupted steps start over, usage and
 * attempts carry on. A run that had already ended resolves to its stored result. Throws
 * InvalidOptionsError when there is no store or no such run.
 */
export async function resumePlan(input: RunPlanInput): Promise<PlanRunResult> {
  if (!input.store || !input.runId) throw new InvalidOptionsError('Expected `store` and `runId` to resume a run');
  const record = await input.store.load(input.runId);
  if (!record) throw new InvalidOptionsError(`No stored run with id "${input.runId}"`);
  if (record.result) return record.result;
  const context = new RunContext({ ...input, task: record.task }, record);
  context.emit({ type: 'run-resumed', task: record.task, doneStepIds: context.hasPlan ? context.tracker.list().filter((step) => step.status === 'done').map((step) => step.id) : [] });
  return drive(context);
}

async function drive(context: RunContext): Promise<PlanRunResult> {
  try {
    if (!context.hasPlan) {
      await approveAndTrack(context, await makePlan(context));
      await context.checkpoint();
    }
    await executePlan(context);
    return await context.finish('completed', await synthesize(context), null);
  } catch (error) {
    const end = toRunEnd(error, context.signal);
    return context.finish(end.status, lastOutput(context), end.error);
  }
}

async function executePlan(context: RunContext): Promise<void> {
  for (;;) {
    await handlePendingFailures(context);
    await executeReadySteps(context);
    if (context.pendingFailures.length > 0) continue;
    if (isPlanSettled(context.tracker.list())) return;
    throw new UnexpectedRunError(new Error('No step can start: every pending step waits on a step that is not done'));
  }
}
