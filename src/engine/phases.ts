import {
  ApprovalTimeoutError,
  InvalidOptionsError,
  isPlanExecuteError,
  NothingDoneError,
  PlanRejectedError,
  RunCancelledError,
  UnexpectedRunError,
} from './errors.ts';
import { cutText } from './cut-text.ts';
import { rememberPlan } from './cached-plans.ts';
import { handleFailure } from './handle-failure.ts';
import { applyApproval, askApproval, makePlan, type ApprovalVerdict } from './make-plan.ts';
import type { PlanRunResult } from './result.ts';
import { RunContext, RunEnd } from './run-context.ts';
import type { ResumeInput, RunPlanInput } from './run-input.ts';
import { acquireLeased, createLeased } from './run-lease.ts';
import { hasLeases } from './run-store.ts';
import { runStep } from './run-step.ts';
import { isPlanSettled, nextBatch } from './scheduler.ts';
import { withTimeLimit } from './time-limit.ts';

/*
 * A run as a few phases, in order: start (or load) → plan and approve → iterate until settled,
 * handling failures in between → finish. Both drivers — the plain loop (`runPlan`) and the Mastra
 * Workflow — call these and nothing else. Every phase may throw what ends the run; `finishRun`
 * turns it into the result.
 */

/**
 * Opens a new run: stores it at once under a fresh lease (so a crash during planning leaves a
 * record to resume, and no one else runs it) and emits `run-started`. Rejects with
 * InvalidOptionsError when the store already holds `runId`.
 */
export async function startRun(input: RunPlanInput): Promise<RunContext> {
  const { store, runId, settings } = input;
  const taken = () => new InvalidOptionsError(`A run with id "${runId}" is already stored; resume it, or choose another id`);
  if (store && !hasLeases(store) && runId && (await store.load(runId))) throw taken();
  const context = new RunContext(input, input.task);
  if (store && hasLeases(store)) {
    // The insert itself refuses a taken id, so two starts with one id cannot both win.
    const lease = await createLeased(store, context.redact(context.record()), settings, input.abortSignal);
    if (!lease) throw taken();
    context.holdLease(lease);
  } else {
    await context.checkpoint();
  }
  context.emit({ type: 'run-started', task: input.task });
  return context;
}

/**
 * Opens a stored run where it stands, taking its lease: its result when it had ended, null when
 * there is no such run. Steps it left in progress count as crashed. Throws RunLockedError when
 * another owner holds it (after waiting `leaseWaitMs`). Emits nothing (a workflow step reopens the
 * run each time; the previous step released the lease).
 */
export async function loadRun(input: ResumeInput): Promise<RunContext | PlanRunResult | null> {
  if (!hasLeases(input.store)) {
    const record = await input.store.load(input.runId);
    if (!record) return null;
    return record.result ?? new RunContext(input, record.task, record);
  }
  const acquired = await acquireLeased(input.store, input.runId, input.settings, input.abortSignal);
  if (!acquired) return null;
  const { stored, keeper } = acquired;
  if (stored.record.result) return stored.record.result;
  try {
    return new RunContext(input, stored.record.task, stored.record, keeper);
  } catch (error) {
    // A record that cannot be reopened (or a failure policy that throws) must not keep the lease renewed for ever.
    await keeper?.release();
    throw error;
  }
}

/** Gives a run's lease up without ending it (a driver that stops between phases); `finishRun` does it itself. */
export async function releaseRun(context: RunContext): Promise<void> {
  // Whoever reopens the run will not take them over.
  context.dropEarlySteps();
  await context.releaseLease();
}

/**
 * Plans when no plan is tracked yet (validated, repaired), then asks `approvePlan`; checkpoints
 * once both are done. `early`: steps start while the plan is written (see EarlySteps), never with
 * `approvePlan`; only for a driver that iterates the same context next (`runPlan`).
 */
export async function planAndApprove(context: RunContext, { early = false }: { readonly early?: boolean } = {}): Promise<void> {
  if (context.hasPlan && !context.awaitingApproval) return;
  const { approvePlan, approvalTimeoutMs } = context.input.settings;
  if (!context.hasPlan) await makePlan(context, { early: early && !approvePlan });
  // A plan a workflow left waiting for approval is never run unapproved.
  if (context.awaitingApproval && !approvePlan) throw new RunEnd('rejected', new PlanRejectedError());
  if (approvePlan) {
    // No verdict in time is no approval: the run ends `rejected` instead of waiting for ever.
    const verdict = withTimeLimit(
      askApproval(context, approvePlan),
      approvalTimeoutMs,
      () => new RunEnd('rejected', new ApprovalTimeoutError(approvalTimeoutMs)),
    );
    applyApproval(context, await verdict);
  }
  context.awaitingApproval = false;
  await context.checkpoint();
}

/** Plans when no plan is tracked yet and checkpoints it, leaving approval to `approveRun` (the workflow suspends in between). */
export async function planRun(context: RunContext): Promise<void> {
  if (context.hasPlan) return;
  await makePlan(context);
  context.awaitingApproval = true;
  await context.checkpoint();
}

/** Applies an approval verdict to the tracked plan and checkpoints it. */
export async function approveRun(context: RunContext, verdict: ApprovalVerdict): Promise<void> {
  applyApproval(context, verdict);
  context.awaitingApproval = false;
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
  // An early attempt whose step a revision changed or a skip settled is no longer wanted.
  context.dropEarlySteps(context.tracker.list().filter((step) => step.status === 'pending'));
}

/**
 * Ends the run and returns its stored result: with no `error`, synthesises the done steps' outputs
 * and completes (a failing synthesis ends the run with its error); with one, ends with the status
 * it implies (cancelled, aborted, rejected or failed) and the last done step's output. A plan that
 * settled with no step done (every step skipped) is not `completed`: it ends `failed` with
 * NOTHING_DONE, and the synthesizer is not called.
 */
export async function finishRun(context: RunContext, error?: unknown): Promise<PlanRunResult> {
  // An early attempt the loop never took (the run ended first) is aborted; what it spent is counted.
  context.dropEarlySteps();
  try {
    return await endRun(context, error);
  } finally {
    await context.releaseLease();
  }
}

async function endRun(context: RunContext, error?: unknown): Promise<PlanRunResult> {
  if (error === undefined && context.hasPlan && context.tracker.completed().length === 0) {
    return endRun(context, new NothingDoneError(context.tracker.list().length));
  }
  if (error === undefined) {
    try {
      const output = await synthesize(context);
      await rememberPlan(context);
      return await context.finish('completed', output, null);
    } catch (synthesisError) {
      return endRun(context, synthesisError);
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
      for (const stepId of nextBatch(context.tracker.list(), context.input.settings.concurrency, context.earlySteps ?? undefined)) {
        const done = runStep(context, stepId).catch((error: unknown) => void (fatal ??= error));
        running.set(
          stepId,
          done.finally(() => running.delete(stepId)),
        );
      }
    }
    // Early attempts still running hold slots a held step may wait for: wait for them too, while steps may still start.
    const mayStart = context.pendingFailures.length === 0 && fatal === null;
    const early = mayStart ? context.earlySteps?.settling() : undefined;
    if (running.size === 0 && early === undefined) break;
    await Promise.race([...running.values(), ...(early ? [early] : [])]);
  }
  if (fatal !== null) throw fatal;
}

async function synthesize(context: RunContext): Promise<string> {
  const { synthesizer, settings } = context.input;
  if (!settings.synthesize) return lastOutput(context);
  const steps = context.tracker.completed();
  const { value: answer, usage } = await context.call('synthesizer', (abortSignal) =>
    synthesizer.synthesize({ task: context.task, goal: context.tracker.goal, steps, abortSignal }),
  );
  // Bounded like every step output: the answer is stored, sent in events and printed.
  const output = cutText(answer, settings.maxStepOutputChars);
  context.emit({ type: 'synthesis-finished', output, usage });
  return output;
}

/** The output of the last step that finished and is still in the plan; '' when none. */
function lastOutput(context: RunContext): string {
  if (!context.hasPlan) return '';
  const done = new Set(
    context.tracker
      .list()
      .filter((step) => step.status === 'done')
      .map((step) => step.id),
  );
  return context.stepResults.findLast((result) => result.status === 'done' && done.has(result.stepId))?.output ?? '';
}

function toRunEnd(error: unknown, signal: AbortSignal): RunEnd {
  if (error instanceof RunEnd) return error;
  if (isPlanExecuteError(error, 'RUN_CANCELLED')) return new RunEnd('cancelled', error);
  if (signal.aborted) return new RunEnd('cancelled', new RunCancelledError({ cause: error }));
  if (isPlanExecuteError(error)) return new RunEnd('failed', error);
  return new RunEnd('failed', new UnexpectedRunError(error));
}
