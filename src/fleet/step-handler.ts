import type { Job } from 'pg-boss';
import { isPlanExecuteError } from '../engine/errors.ts';
import type { Executor } from '../engine/ports.ts';
import type { StepJobData, StepJobOutput } from './queue-executor.ts';

/**
 * Does one step job with this worker's executor: the reply (or the error it threw, carried back to
 * the run's worker, whose retry policy decides) is the job's output, stored by pg-boss in the same
 * transaction that completes the job, so a worker that lost the job meanwhile stores nothing.
 * The job's signal (cancelled, or taken by another worker) reaches every model and tool call.
 */
export async function handleStepJob(job: Job<StepJobData>, executor: Executor, redact: <T>(value: T) => T): Promise<StepJobOutput> {
  try {
    const reply = await executor.execute({ ...job.data.request, abortSignal: job.signal });
    return redact({ reply });
  } catch (error) {
    const code = isPlanExecuteError(error) ? error.code : null;
    return redact({ error: { code, message: error instanceof Error ? error.message : String(error) } });
  }
}
