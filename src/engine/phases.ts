import { PlanExecuteError, RunCancelledError, UnexpectedRunError } from './errors.ts';
import { runStep } from './execute-step.ts';
import { handleFailure } from './handle-failure.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { nextBatch } from './scheduler.ts';

/**
 * Runs every ready step, up to `concurrency` at once, starting more as dependencies finish, until
 * nothing more can start or a step failed for good (queued in `context.pendingFailures`); waits
 * for the running steps to settle. Rethrows what ends the run (cancellation, budget) once nothing
 * is running. Both drivers call this.
 */
export async function executeReadySteps(context: RunContext): Promise<void> {
  const running = new Map<string, Promise<void>>();
  let fatal: unknown = null;
  for (;;) {
    if (context.pendingFailures.length === 0 && fatal === null) {
      for (const stepId of nextBatch(context.tracker.list(), context.input.settings.concurrency)) {
        const done = runStep(context, stepId).catch((error: unknown) => void (fatal ??= error));
        running.set(stepId, done.finally(() => running.delete(stepId)));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (fatal !== null) throw fatal;
}

/** Handles every queued failure, oldest first, checkpointing after each so none is handled twice. */
export async function handlePendingFailures(context: RunContext): Promise<void> {
  while (context.pendingFailures.length > 0) {
    await handleFailure(context, context.pendingFailures[0]!);
    context.pendingFailures.shift();
    await context.checkpoint();
  }
}

/** Merges the done steps' outputs (or takes the last one with `synthesize: false`). */
export async function synthesize(context: RunContext): Promise<string> {
  const { task, synthesizer, settings } = context.input;
  if (!settings.synthesize) return lastOutput(context);
  const steps = context.tracker
    .list()
    .filter((step) => step.status === 'done')
    .map(({ id, description, output }) => ({ id, description, output: output ?? '' }));
  const { value: output, usage } = await context.call('synthesizer', (abortSignal) =>
    synthesizer.synthesize({ task, goal: context.tracker.goal, steps, abortSignal }),
  );
  context.emit({ type: 'synthesis-finished', output, usage });
  return output;
}

/** The output of the last step that finished and is still in the plan; '' when none. */
export function lastOutput(context: RunContext): string {
  if (!context.hasPlan) return '';
  const done = new Set(context.tracker.list().filter((step) => step.status === 'done').map((step) => step.id));
  return context.stepResults.findLast((result) => result.status === 'done' && done.has(result.stepId))?.output ?? '';
}

/** What ended a run, as the status and error to finish it with. */
export function toRunEnd(error: unknown, signal: AbortSignal): RunEnd {
  if (error instanceof RunEnd) return error;
  if (error instanceof RunCancelledError) return new RunEnd('cancelled', error);
  if (signal.aborted) return new RunEnd('cancelled', new RunCancelledError({ cause: error }));
  if (PlanExecuteError.isInstance(error)) return new RunEnd('failed', error);
  return new RunEnd('failed', new UnexpectedRunError(error));
}
