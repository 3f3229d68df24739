import { raceAbort, throwIfCancelled } from './abort.ts';
import { errorMessage, isPlanExecuteError, isRetryableError, isRunEndingError, RunCancelledError, StepTimeoutError } from './errors.ts';
import { cutText } from './cut-text.ts';
import { MAX_TIMER_MS } from './option-checks.ts';
import { callDirectly, plannedCall, runsDirectly } from './direct-step.ts';
import { decideFailure } from './policy.ts';
import type { CompletedStep, DirectCall, StepReply, StepRequest } from './ports.ts';
import type { StepResult } from './result.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { retryDelayMs, sleep } from './retry-delay.ts';
import { MAX_RETRIES, type RunSettings } from './settings.ts';
import { yieldToEventLoop, timeLimit } from './time-limit.ts';
import type { TrackedStep } from './tracker.ts';
import { ZERO_USAGE } from './usage.ts';

/** One attempt's record, and what was thrown when it failed by throwing. */
interface Attempt {
  readonly result: StepResult;
  readonly thrown: unknown;
}

/**
 * Runs one step to an end: attempts it and retries while the policy says so (after a backoff when
 * the model server was overloaded). A failure for good is queued in `context.pendingFailures` (and
 * checkpointed) for the loop to handle. Throws RunCancelledError on cancellation, and a RunEnd when
 * the model server refused the request or cannot be reached.
 */
export async function runStep(context: RunContext, stepId: string): Promise<void> {
  const { settings } = context.input;
  ensureActive(context);
  let step = context.tracker.start(stepId);
  for (;;) {
    // Stored before the executor runs, so an attempt cut off by a crash still counts (crash loops end).
    await context.checkpoint();
    const direct = runsDirectly(context, step) ? { direct: true as const } : {};
    const early = step.attempts === 1 && context.earlySteps?.holds(step) ? { early: true as const } : {};
    context.emit({ type: 'step-started', stepId, attempt: step.attempts, description: step.description, ...direct, ...early });
    const { result, thrown } = await attemptStep(context, step);
    context.stepResults.push(result);
    if (result.status === 'cancelled') {
      context.tracker.interrupt(stepId);
      throw new RunCancelledError();
    }
    if (result.status === 'done') return finishStep(context, step, result);
    const error = result.error ?? 'unknown error';
    const attempt = { stepId, error, retryable: result.retryable, attempts: step.attempts, replansUsed: context.replansUsed };
    const mostAttempts = `Step "${stepId}" failed ${step.attempts} attempts, the most any policy may make (${MAX_RETRIES + 1}): ${error}`;
    const action = isRunEndingError(thrown) ? null : decideFailure(settings, attempt, MAX_RETRIES + 1, mostAttempts);
    if (action?.type !== 'retry') {
      context.tracker.fail(stepId, error);
      if (action) context.pendingFailures.push({ stepId, error, action });
      await context.checkpoint();
      context.emit({ type: 'step-failed', stepId, result });
      if (isRunEndingError(thrown)) throw new RunEnd('failed', thrown);
      return;
    }
    await context.checkpoint();
    context.emit({ type: 'step-failed', stepId, result });
    context.emit({ type: 'step-retried', stepId, attempt: step.attempts + 1, error });
    if (isPlanExecuteError(thrown, 'MODEL_CALL_FAILED')) await sleep(retryDelayMs(thrown, step.attempts), context.signal);
    // An executor that fails at once, retried by a policy, must still let timers and abort signals run.
    await yieldToEventLoop();
    try {
      ensureActive(context);
    } catch (stopped) {
      context.tracker.interrupt(stepId);
      throw stopped;
    }
    step = context.tracker.retry(stepId);
  }
}

/** Throws what stops the run before an attempt: the token budget spent, or the run cancelled. */
function ensureActive(context: RunContext): void {
  context.ensureBudget();
  throwIfCancelled(context.signal);
}

/**
 * The time limit of one executor attempt: `stepTimeoutMs` when set, otherwise `callTimeoutMs` for
 * each model turn the attempt may take (tool calls run inside that time), at most the longest timer.
 */
export function attemptTimeoutMs(settings: RunSettings): number {
  return settings.stepTimeoutMs ?? Math.min(settings.callTimeoutMs * settings.maxStepIterations, MAX_TIMER_MS);
}

async function finishStep(context: RunContext, step: TrackedStep, result: StepResult): Promise<void> {
  context.tracker.complete(step.id, result.output ?? '');
  if (step.toolHint !== null && result.toolCalls === 0) {
    const warning = {
      stepId: step.id,
      warning: 'no-tool-call' as const,
      message: `Step "${step.id}" was planned with tool "${step.toolHint}" but the executor made no tool call`,
    };
    context.warnings.push(warning);
    context.emit({ type: 'step-warning', ...warning });
  }
  // Durable before anything else starts: a finished step is never run (or billed) again.
  await context.checkpoint();
  context.emit({ type: 'step-finished', stepId: step.id, result });
}

/** The fields every result of one attempt shares. */
interface AttemptBase {
  readonly stepId: string;
  readonly attempt: number;
  readonly startedAt: string;
}

async function attemptStep(context: RunContext, step: TrackedStep): Promise<Attempt> {
  const { settings } = context.input;
  const timeoutMs = attemptTimeoutMs(settings);
  const limit = timeLimit(context.signal, timeoutMs);
  // A first attempt begun while the plan was written (never a direct step's) is taken over; it started then.
  const early = step.attempts === 1 ? context.earlySteps?.take(step) : undefined;
  if (early) abortWith(limit.signal, early.controller);
  const startedAt = early?.startedAt ?? Date.now();
  const base = { stepId: step.id, attempt: step.attempts, startedAt: new Date(startedAt).toISOString() };
  try {
    return { result: await runAttempt(context, step, limit.signal, base, early?.reply), thrown: null };
  } catch (thrown) {
    const usage = isPlanExecuteError(thrown, 'MODEL_OUTPUT_INVALID') && thrown.usage ? thrown.usage : ZERO_USAGE;
    context.recordFailedCall('executor', step.id, context.redact(thrown), usage, startedAt);
    const failure = { ...base, output: null, toolCalls: 0, usage, durationMs: Date.now() - startedAt };
    if (context.signal.aborted) return { result: { ...failure, status: 'cancelled', error: 'The run was cancelled', retryable: false }, thrown };
    const error = context.redact(limit.timedOut() ? new StepTimeoutError(step.id, timeoutMs) : thrown);
    return {
      result: { ...failure, status: 'failed', error: cutText(errorMessage(error), settings.maxStepOutputChars), retryable: isRetryableError(error) },
      thrown: error,
    };
  } finally {
    limit.clear();
  }
}

/**
 * One attempt under `signal`: a direct step's own tool call when the run can make it (no model
 * call, no usage), else — or when that call failed — the executor, or the `early` reply of the
 * executor call begun while the plan was written. Throws what the executor throws.
 */
async function runAttempt(context: RunContext, step: TrackedStep, signal: AbortSignal, base: AttemptBase, early?: Promise<StepReply>): Promise<StepResult> {
  const { executor, settings } = context.input;
  const startedAt = Date.parse(base.startedAt);
  const direct = !early && runsDirectly(context, step) ? await callDirectly(context, step, signal) : null;
  if (direct?.ok) {
    // Secrets never reach the tracker, the store or a dependant; a huge output is cut once, here.
    const output = cutText(context.redact(direct.output), settings.maxStepOutputChars);
    return {
      ...base,
      status: 'done',
      output,
      error: null,
      retryable: false,
      toolCalls: 1,
      usage: ZERO_USAGE,
      durationMs: Date.now() - startedAt,
      direct: true,
    };
  }
  const call = direct ? direct.call : plannedCall(context, step);
  const reply: StepReply = await raceAbort(early ?? executor.execute(stepRequest(context, step, signal, call)), signal);
  context.recordCall('executor', step.id, reply, startedAt);
  const { success, output, error } = context.redact(reply.value);
  const common = { ...base, retryable: false, toolCalls: reply.toolCalls, usage: reply.usage, durationMs: Date.now() - startedAt };
  return success
    ? { ...common, status: 'done', output: cutText(output, settings.maxStepOutputChars), error: null }
    : { ...common, status: 'failed', output: null, error: cutText(error ?? 'The step reported failure without a reason', settings.maxStepOutputChars) };
}

/** Aborts `controller` when `signal` fires (an early attempt taken over by the step's time limit and cancellation). */
function abortWith(signal: AbortSignal, controller: AbortController): void {
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
}

function stepRequest(context: RunContext, step: TrackedStep, abortSignal: AbortSignal, directCall: DirectCall | undefined): StepRequest {
  const { id, description, expectedOutput, dependsOn, toolHint, tool, toolArgs, meta } = step;
  return {
    task: context.task,
    step: {
      id,
      description,
      expectedOutput,
      dependsOn,
      toolHint,
      ...(tool == null ? {} : { tool, toolArgs: toolArgs ?? null }),
      ...(meta === undefined ? {} : { meta }),
    },
    dependencies: dependencyOutputs(context, step),
    attempt: step.attempts,
    // Only this step's own earlier attempt: a revised step may reuse the id of the one it replaced.
    previousError: step.attempts > 1 ? (context.stepResults.findLast((result) => result.stepId === step.id)?.error ?? null) : null,
    maxIterations: context.input.settings.maxStepIterations,
    abortSignal,
    ...(directCall ? { directCall } : {}),
  };
}

function dependencyOutputs(context: RunContext, step: TrackedStep): CompletedStep[] {
  return step.dependsOn.map((id) => {
    const dependency = context.tracker.get(id);
    const output = dependency.status === 'done' ? (dependency.output ?? '') : `(skipped: ${dependency.error ?? 'no output'})`;
    return { id, description: dependency.description, output, ...(dependency.meta === undefined ? {} : { meta: dependency.meta }) };
  });
}
