import { raceAbort, throwIfCancelled } from './abort.ts';
import { ModelOutputError, RunCancelledError, StepTimeoutError, errorMessage, isRetryableError } from './errors.ts';
import type { FailureAction } from './policy.ts';
import type { CompletedStep, StepRequest } from './ports.ts';
import type { StepResult } from './result.ts';
import type { RunContext } from './run-context.ts';
import type { TrackedStep } from './tracker.ts';
import { ZERO_USAGE, type TokenUsage } from './usage.ts';

/** A step that failed for good in this round, with what the policy chose to do about it. */
export interface StepFailure {
  /** The failed step. */
  readonly stepId: string;
  /** Why it failed. */
  readonly error: string;
  /** What the policy chose (never `retry`). */
  readonly action: Exclude<FailureAction, { type: 'retry' }>;
}

/**
 * Runs one step to an end: attempts it and retries while the policy says so. A failure for good
 * is queued in `context.pendingFailures` (and checkpointed) for the loop to handle. Throws
 * RunCancelledError on cancellation.
 */
export async function runStep(context: RunContext, stepId: string): Promise<void> {
  const { settings } = context.input;
  for (;;) {
    context.ensureBudget();
    throwIfCancelled(context.signal);
    const step = context.tracker.start(stepId);
    context.emit({ type: 'step-started', stepId, attempt: step.attempts, description: step.description });
    const result = await attemptStep(context, step);
    context.stepResults.push(result);
    if (result.status === 'cancelled') {
      context.tracker.interrupt(stepId);
      throw new RunCancelledError();
    }
    if (result.status === 'done') {
      context.tracker.complete(stepId, result.output ?? '');
      // Durable before anything else starts: a finished step is never run (or billed) again.
      await context.checkpoint();
      context.emit({ type: 'step-finished', stepId, result });
      return;
    }
    const error = result.error ?? 'unknown error';
    context.tracker.fail(stepId, error);
    const action = settings.failurePolicy({ ...settings, stepId, error, retryable: result.retryable, attempts: step.attempts, replansUsed: context.replansUsed });
    if (action.type !== 'retry') context.pendingFailures.push({ stepId, error, action });
    await context.checkpoint();
    context.emit({ type: 'step-failed', stepId, result });
    if (action.type !== 'retry') return;
    context.emit({ type: 'step-retried', stepId, attempt: step.attempts + 1, error });
  }
}

async function attemptStep(context: RunContext, step: TrackedStep): Promise<StepResult> {
  const { task, executor, settings } = context.input;
  const timeout = settings.stepTimeoutMs === undefined ? null : AbortSignal.timeout(settings.stepTimeoutMs);
  const signal = timeout ? AbortSignal.any([context.signal, timeout]) : context.signal;
  const startedAt = new Date();
  const base = { stepId: step.id, attempt: step.attempts, startedAt: startedAt.toISOString() };
  const elapsed = () => Date.now() - startedAt.getTime();
  const request: StepRequest = {
    task,
    step: { id: step.id, description: step.description, expectedOutput: step.expectedOutput, dependsOn: step.dependsOn, toolHint: step.toolHint },
    dependencies: dependencyOutputs(context, step),
    attempt: step.attempts,
    // Only this step's own earlier attempt: a revised step may reuse the id of the one it replaced.
    previousError: step.attempts > 1 ? (context.stepResults.findLast((result) => result.stepId === step.id)?.error ?? null) : null,
    maxIterations: settings.maxStepIterations,
    abortSignal: signal,
  };
  try {
    const reply = await raceAbort(executor.execute(request), signal);
    context.meter.add('executor', reply.usage);
    const { success, output, error } = reply.value;
    return success
      ? { ...base, status: 'done', output, error: null, retryable: false, toolCalls: reply.toolCalls, usage: reply.usage, durationMs: elapsed() }
      : { ...base, status: 'failed', output: null, error: error ?? 'The step reported failure without a reason', retryable: false, toolCalls: reply.toolCalls, usage: reply.usage, durationMs: elapsed() };
  } catch (thrown) {
    const usage: TokenUsage = thrown instanceof ModelOutputError && thrown.usage ? thrown.usage : ZERO_USAGE;
    context.meter.add('executor', usage);
    const failure = { ...base, output: null, toolCalls: 0, usage, durationMs: elapsed() };
    if (context.signal.aborted) return { ...failure, status: 'cancelled', error: 'The run was cancelled', retryable: false };
    const error = timeout?.aborted ? new StepTimeoutError(step.id, settings.stepTimeoutMs ?? 0) : thrown;
    return { ...failure, status: 'failed', error: errorMessage(error), retryable: isRetryableError(error) };
  }
}

function dependencyOutputs(context: RunContext, step: TrackedStep): CompletedStep[] {
  return step.dependsOn.map((id) => {
    const dependency = context.tracker.get(id);
    const output = dependency.status === 'done' ? (dependency.output ?? '') : `(skipped: ${dependency.error ?? 'no output'})`;
    return { id, description: dependency.description, output };
  });
}
