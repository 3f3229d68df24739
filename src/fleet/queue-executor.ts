import type { PgBoss } from 'pg-boss';
import { ERROR_CODES, PlanExecuteError, type PlanExecuteErrorCode } from '../engine/errors.ts';
import type { PlanStep } from '../engine/plan-schema.ts';
import type { Executor, StepReply, StepRequest } from '../engine/ports.ts';
import { sleep } from '../engine/retry-delay.ts';
import { stepJobId } from './job-ids.ts';

/** A step job's data: the step request without its signal (the worker brings its own). */
export interface StepJobData {
  readonly runId: string;
  readonly request: Omit<StepRequest, 'abortSignal'>;
}

/** What a step job completes with: the executor's reply, or the error it threw (carried back, then thrown on the run's side). */
export type StepJobOutput = { readonly reply: StepReply } | { readonly error: { readonly code: string | null; readonly message: string } };

/** How often the run's worker looks at a step job it waits on, in ms. */
const STEP_POLL_MS = 50;

/** What a queue-backed executor needs. */
export interface QueueExecutorOptions {
  readonly boss: PgBoss;
  /** The agent's step queue. */
  readonly queue: string;
  readonly runId: string;
  /** Runs the steps `keepLocal` keeps on this worker. */
  readonly local: Executor;
  /** Steps to run on the run's own worker (tools sharing a local workspace); none by default. */
  readonly keepLocal?: ((step: PlanStep) => boolean) | undefined;
  /** Applied to the job's data before it is stored: the run's secrets never reach the queue tables. */
  readonly redact: <T>(value: T) => T;
  /** The job's time limit, in seconds (the step's own time limit, or the run's). */
  readonly expireInSeconds: number;
  /**
   * Called when a step job is found cancelled while the step's own signal is not aborted: only
   * `cancelRun` does that, so the run is being cancelled (its own job's cancellation reaches this
   * worker a heartbeat later). The caller aborts the run, so the step ends cancelled, not retried.
   */
  readonly onCancelled: () => void;
}

/**
 * The engine's Executor port over a pg-boss queue: each step attempt becomes a step job whose id
 * derives from run, step and attempt, which any worker with the executor agent takes. A second
 * send of the same attempt (a worker that took the run over) is refused by pg-boss, and this waits
 * for the job already there. The step's abort (cancellation, time limit) cancels the job; the
 * worker running it sees its job's signal fire. The run's `concurrency` bounds the jobs in flight.
 */
export function queueExecutor(options: QueueExecutorOptions): Executor {
  return {
    async execute(request: StepRequest): Promise<StepReply> {
      if (options.keepLocal?.(request.step)) return options.local.execute(request);
      const { abortSignal, ...rest } = request;
      const id = stepJobId(options.runId, request.step.id, request.attempt);
      const data: StepJobData = options.redact({ runId: options.runId, request: rest });
      await options.boss.send(options.queue, data, { id, expireInSeconds: options.expireInSeconds });
      return awaitReply(options, id, abortSignal);
    },
  };
}

async function awaitReply({ boss, queue, onCancelled }: QueueExecutorOptions, id: string, signal: AbortSignal): Promise<StepReply> {
  for (;;) {
    if (signal.aborted) {
      await boss.cancel(queue, id).catch(() => undefined);
      throw signal.reason;
    }
    const job = await boss.getJobById(queue, id);
    if (job?.state === 'completed') return replyOf(job.output as StepJobOutput);
    if (job?.state === 'cancelled') onCancelled();
    if (!job || job.state === 'failed' || job.state === 'cancelled') {
      // Failed: the worker died twice (pg-boss retried once); the engine's retry policy decides with a new attempt.
      throw new Error(`The step job ${id} ended ${job?.state ?? 'missing'}${job?.state === 'failed' ? `: ${failureMessage(job.output)}` : ''}`);
    }
    await sleep(STEP_POLL_MS, signal);
  }
}

function replyOf(output: StepJobOutput): StepReply {
  if ('reply' in output) return output.reply;
  const { code, message } = output.error;
  throw (ERROR_CODES as readonly string[]).includes(code ?? '') ? new PlanExecuteError(code as PlanExecuteErrorCode, message) : new Error(message);
}

function failureMessage(output: unknown): string {
  const message = (output as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : 'its worker stopped answering';
}
