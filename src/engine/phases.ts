import { InvalidOptionsError, isPlanExecuteError, RunCancelledError, UnexpectedRunError } from './errors.ts';
import { handleFailure } from './handle-failure.ts';
import { applyApproval, askApproval, makePlan, type ApprovalVerdict } from './make-plan.ts';
import type { PlanRunResult } from './result.ts';
import { RunContext, RunEnd } from './run-context.ts';
import type { ResumeInput, RunPlanInput } from './run-input.ts';
import { runStep } from './run-step.ts';
import { isPlanSettled, nextBatch } from './scheduler.ts';

/*
 * A run as a few phases, in order: start (or load) → plan and approve → iterate until settled,
 * handling failures in between → finish. Both drivers — the plain loop (`runPlan`) and the Mastra
 * Workflow — call these and nothing else. Every phase may throw what ends the run; `finishRun`
 * turns it into the result.
 */

/**
 * Opens a new run: checkpoints it at once (so a crash during planning leaves a record to resume)
 * and emits `run-started`. Rejects with InvalidOptionsError when the store already holds `runId`.
 */
export async function startRun(input: RunPlanInput): Promise<RunContext> {
  if (input.store && input.runId && (await input.store.load(input.runId))) {
    throw new InvalidOptionsError(`A run with id "${input.runId}" is already stored; resume it, or choose another id`);
  }
  const context = new RunContext(input, input.task);
  await context.checkpoint();
  context.emit({ type: 'run-started', task: input.task });
  return context;
}

/**
 * Opens a stored run where it stands: its result when it had ended, null when there is no such run.
 * Interrupted steps go back to pending. Emits nothing (a workflow step reopens the run each time).
 */
export async function loadRun(input: ResumeInput): Promise<RunContext | PlanRunResult | null> {
  const record = await input.store.load(input.runId);
  if (!record) return null;
  return record.result ?? new RunContext(input, record.task, record);
}

/** Plans when no plan is tracked yet (validated, repaired), then asks `approvePlan`; checkpoints once both are done. */
export async function planAndApprove(context: RunContext): Promise<void> {
  if (context.hasPlan) return;
  await makePlan(context);
  if (context.input.settings.approvePlan) applyApproval(context, await askApproval(context, context.input.settings.approvePlan));
  await context.checkpoint();
}

/** Plans when no plan is tracked yet and checkpoints it, leaving approval to `approveRun` (the workflow suspends in between). */
export async function planRun(context: RunContext): Promise<void> {
  if (context.hasPlan) return;
  await makePlan(context);
  await context.checkpoint();
}

/** Applies an approval verdict to the tracked plan and checkpoints it. */
export async function approveRun(context: RunContext, verdict: ApprovalVerdict): Promise<void> {
  applyApproval(context, verdict);
  await context.checkpoint();
}

/**
 * Runs every ready step, up to `concurrency` at once, starting more as dependencies finish, until
 * nothing more can start. `settled`: every step is done or skipped. `failures`: steps failed for
 * good and wait for `handleFailures`. Throws when steps are left that can never start.
 */
export async function iterate(context: RunContext): Promise<'settled' | 'failures'> {
  await executeReadySteps(context);
  if (context.pendingFailures.length > 0) return 'failures';
  if (isPlanSettled(context.tracker.list())) return 'settled';
  throw new UnexpectedRunError(new Error('No step can start: every pending step waits on a step that is not done'));
}

/** Handles every queued failure, oldest first (replan, skip, abort or fail), checkpointing after each so none is handled twice. */
export async function handleFailures(context: RunContext): Promise<void> {
  while (context.pendingFailures.length > 0) {
    await handleFailure(context, context.pendingFailures[0]!);
    context.pendingFailures.shift();
    await context.checkpoint();
  }
}

/**
 * Ends the run and returns its stored result: with no `error`, synthesises the done steps' outputs
 * and completes (a failing synthesis ends the run with its error); with one, ends with the status
 * it implies (cancelled, aborted, rejected or failed) and the last done step's output.
 */
export async function finishRun(context: RunContext, error?: unknown): Promise<PlanRunResult> {
  if (error === undefined) {
    try {
      return await context.finish('completed', await synthesize(context), null);
    } catch (synthesisError) {
      return finishRun(context, synthesisError);
    }
  }
  const end = toRunEnd(error, context.signal);
  return context.finish(end.status, lastOutput(context), end.error);
}

async function executeReadySteps(context: RunContext): Promise<void> {
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

async function synthesize(context: RunContext): Promise<string> {
  const { synthesizer, settings } = context.input;
  if (!settings.synthesize) return lastOutput(context);
  const steps = context.tracker.completed();
  const { value: output, usage } = await context.call('synthesizer', (abortSignal) =>
    synthesizer.synthesize({ task: context.task, goal: context.tracker.goal, steps, abortSignal }),
  );
  context.emit({ type: 'synthesis-finished', output, usage });
  return output;
}

/** The output of the last step that finished and is still in the plan; '' when none. */
function lastOutput(context: RunContext): string {
  if (!context.hasPlan) return '';
  const done = new Set(context.tracker.list().filter((step) => step.status === 'done').map((step) => step.id));
  return context.stepResults.findLast((result) => result.status === 'done' && done.has(result.stepId))?.output ?? '';
}

function toRunEnd(error: unknown, signal: AbortSignal): RunEnd {
  if (error instanceof RunEnd) return error;
  if (isPlanExecuteError(error, 'RUN_CANCELLED')) return new RunEnd('cancelled', error);
  if (signal.aborted) return new RunEnd('cancelled', new RunCancelledError({ cause: error }));
  if (isPlanExecuteError(error)) return new RunEnd('failed', error);
  return new RunEnd('failed', new UnexpectedRunError(error));
}
