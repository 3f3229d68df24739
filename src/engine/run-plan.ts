import { InvalidOptionsError } from './errors.ts';
import { finishRun, handleFailures, iterate, loadRun, planAndApprove, releaseRun, startRun } from './phases.ts';
import type { PlanRunResult } from './result.ts';
import { RunContext } from './run-context.ts';
import type { ResumeInput, RunPlanInput } from './run-input.ts';

/**
 * The plain TypeScript step loop: plan (validated, repaired), approve, run ready steps in
 * parallel up to `concurrency`, handle each failure once the running steps settle, synthesise.
 *
 * Termination: resolves (never rejects) when every step is done or skipped and the output is
 * merged (`completed`), the replanner or the token budget stops it (`aborted`), no valid plan
 * exists or a failure cannot be replanned (`failed`), the signal fires (`cancelled`), or the
 * approval gate says no (`rejected`). Partial results are kept in every case. Rejects only before
 * anything ran: InvalidOptionsError when the store already holds `runId`, StoreFailedError when
 * the store cannot record the new run.
 */
export async function runPlan(input: RunPlanInput): Promise<PlanRunResult> {
  // Only here do steps start while the plan is written: every other driver reopens or hands off the run.
  return driveRun(await startRun(input), { early: input.settings.streamPlan });
}

/**
 * Carries on a run checkpointed in `input.store` under `input.runId` after a crash or a stop:
 * done steps keep their outputs and are not run again, interrupted steps start over, usage and
 * attempts carry on. A run that had already ended resolves to its stored result. Rejects with
 * InvalidOptionsError when there is no such run, RunLockedError when another owner holds it (after
 * waiting `leaseWaitMs`), StoreFailedError when the store cannot be read.
 */
export async function resumePlan(input: ResumeInput): Promise<PlanRunResult> {
  if (!input.store || !input.runId) throw new InvalidOptionsError('Expected `store` and `runId` to resume a run');
  const opened = await loadRun(input);
  if (opened === null) throw new InvalidOptionsError(`No stored run with id "${input.runId}"`);
  if (!(opened instanceof RunContext)) return opened;
  if (opened.awaitingApproval && !input.settings.approvePlan) {
    // Left intact for whoever suspended it: a plan is never run unapproved.
    await releaseRun(opened);
    throw new InvalidOptionsError(`Run "${input.runId}" waits for approval; approve it where it was suspended, or resume it with \`approvePlan\``);
  }
  const doneStepIds = opened.hasPlan
    ? opened.tracker
        .list()
        .filter((step) => step.status === 'done')
        .map((step) => step.id)
    : [];
  opened.emit({ type: 'run-resumed', task: opened.task, doneStepIds });
  return driveRun(opened);
}

/**
 * Plans and approves (when not done yet), iterates until settled handling failures in between, and
 * finishes: the loop both `runPlan` and the fleet's workers drive an opened run with. `early`:
 * steps start while the plan is written (`streamPlan`; `runPlan` only).
 */
export async function driveRun(context: RunContext, { early = false }: { readonly early?: boolean } = {}): Promise<PlanRunResult> {
  try {
    await planAndApprove(context, { early });
    while ((await iterate(context)) === 'failures') await handleFailures(context);
  } catch (error) {
    return finishRun(context, error);
  }
  return finishRun(context);
}
