import { raceAbort, throwIfCancelled } from './abort.ts';
import { errorMessage, isPlanExecuteError, isRetryableError, isRunEndingError, RunCancelledError, StepTimeoutError } from './errors.ts';
import type { FailureContext } from './policy.ts';
import type { CompletedStep, StepReply, StepRequest } from './ports.ts';
import type { StepResult } from './result.ts';
import { RunEnd, type RunContext } from './run-context.ts';
import { retryDelayMs, sleep } from './retry-delay.ts';
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
  for (;;) {
    context.ensureBudget();
    throwIfCancelled(context.signal);
    const step = context.tracker.start(stepId);
    context.emit({ type: 'step-started', stepId, attempt: step.attempts, description: step.description });
    const { result, thrown } = await attemptStep(context, step);
    context.stepResults.push(result);
    if (result.status === 'cancelled') {
      context.tracker.interrupt(stepId);
      throw new RunCancelledError();
    }
    if (result.status === 'done') return finishStep(context, step, result);
    const error = result.error ?? 'unknown error';
    context.tracker.fail(stepId, error);
    if (isRunEndingError(thrown)) {
      await context.checkpoint();
      context.emit({ type: 'step-failed', stepId, result });
      throw new RunEnd('failed', thrown);
    }
    const failure: FailureContext = {
      stepId,
      error,
      retryable: result.retryable,
      attempts: step.attempts,
      maxRetries: settings.maxRetries,
      replanOnFailure: settings.replanOnFailure,
      replansUsed: context.replansUsed,
      maxReplans: settings.maxReplans,
    };
    const action = settings.failurePolicy(failure);
    if (action.type !== 'retry') context.pendingFailures.push({ stepId, error, action });
    await context.checkpoint();
    context.emit({ type: 'step-failed', stepId, result });
    if (action.type !== 'retry') return;
    context.emit({ type: 'step-retried', stepId, attempt: step.attempts + 1, error });
    if (isPlanExecuteError(thrown, 'MODEL_CALL_FAILED')) await sleep(retryDelayMs(thrown, step.attempts), context.signal);
  }
}

async function finishStep(context: RunContext, step: TrackedStep, result: StepResult): Promise<void> {
  context.tracker.complete(step.id, result.output ?? '');
  if (step.toolHint !== null && result.toolCalls === 0) {
    const warning = { stepId: step.id, warning: 'no-tool-call' as const, message: `Step "${step.id}" was planned with tool "${step.toolHint}" but the executor made no tool call` };
    context.warnings.push(warning);
    context.emit({ type: 'step-warning', ...warning });
  }
  // Durable before anything else starts: a finished step is never run (or billed) again.
  await context.checkpoint();
  context.emit({ type: 'step-finished', stepId: step.id, result });
}

async function attemptStep(context: RunContext, step: TrackedStep): Promise<Attempt> {
  const { executor, settings } = context.input;
  const timeout = settings.stepTimeoutMs === undefined ? null : AbortSignal.timeout(settings.stepTimeoutMs);
  const signal = timeout ? AbortSignal.any([context.signal, timeout]) : context.signal;
  const startedAt = new Date();
  const base = { stepId: step.id, attempt: step.attempts, startedAt: startedAt.toISOString() };
  const elapsed = () => Date.now() - startedAt.getTime();
  try {
    const reply: StepReply = await raceAbort(executor.execute(stepRequest(context, step, signal)), signal);
    context.recordCall('executor', step.id, reply, startedAt.getTime());
    const { success, output, error } = reply.value;
    const common = { ...base, retryable: false, toolCalls: reply.toolCalls, usage: reply.usage, durationMs: elapsed() };
    const result: StepResult = success
      ? { ...common, status: 'done', output, error: null }
      : { ...common, status: 'failed', output: null, error: error ?? 'The step reported failure without a reason' };
    return { result, thrown: null };
  } catch (thrown) {
    const usage = isPlanExecuteError(thrown, 'MODEL_OUTPUT_INVALID') && thrown.usage ? thrown.usage : ZERO_USAGE;
    context.recordFailedCall('executor', step.id, thrown, usage, startedAt.getTime());
    const failure = { ...base, output: null, toolCalls: 0, usage, durationMs: elapsed() };
    if (context.signal.aborted) return { result: { ...failure, status: 'cancelled', error: 'The run was cancelled', retryable: false }, thrown };
    const error = timeout?.aborted ? new StepTimeoutError(step.id, settings.stepTimeoutMs ?? 0) : thrown;
    return { result: { ...failure, status: 'failed', error: errorMessage(error), retryable: isRetryableError(error) }, thrown: error };
  }
}

function stepRequest(context: RunContext, step: TrackedStep, abortSignal: AbortSignal): StepRequest {
  const { id, description, expectedOutput, dependsOn, toolHint, meta } = step;
  return {
    task: context.task,
    step: { id, description, expectedOutput, dependsOn, toolHint, ...(meta === undefined ? {} : { meta }) },
    dependencies: dependencyOutputs(context, step),
    attempt: step.attempts,
    // Only this step's own earlier attempt: a revised step may reuse the id of the one it replaced.
    previousError: step.attempts > 1 ? (context.stepResults.findLast((result) => result.stepId === step.id)?.error ?? null) : null,
    maxIterations: context.input.settings.maxStepIterations,
    abortSignal,
  };
}

function dependencyOutputs(context: RunContext, step: TrackedStep): CompletedStep[] {
  return step.dependsOn.map((id) => {
    const dependency = context.tracker.get(id);
    const output = dependency.status === 'done' ? (dependency.output ?? '') : `(skipped: ${dependency.error ?? 'no output'})`;
    return { id, description: dependency.description, output, ...(dependency.meta === undefined ? {} : { meta: dependency.meta }) };
  });
}
