import type { Job, PgBoss } from 'pg-boss';
import { InvalidOptionsError, isPlanExecuteError, RunCancelledError } from '../engine/errors.ts';
import { approveRun, finishRun, loadRun, planRun, releaseRun, startRun } from '../engine/phases.ts';
import type { Plan, PlanStep } from '../engine/plan-schema.ts';
import type { PlanRunEvent } from '../engine/events.ts';
import type { PlanRunResult } from '../engine/result.ts';
import { RunContext } from '../engine/run-context.ts';
import type { ResumeInput, RunRoles } from '../engine/run-input.ts';
import { driveRun, resumePlan } from '../engine/run-plan.ts';
import type { PostgresRunStore } from '../storage/postgres-run-store.ts';
import { type FleetSettings, runQueue, stepQueue } from './fleet-settings.ts';
import { cancelJobId } from './job-ids.ts';
import { queueExecutor } from './queue-executor.ts';
import type { RunJobData } from './run-jobs.ts';
import { createRedactor } from '../engine/redact.ts';

/** What a worker's run jobs need. */
export interface RunHandlerContext {
  readonly boss: PgBoss;
  /** The agent whose queues these jobs come from. */
  readonly agent: string;
  readonly store: PostgresRunStore;
  readonly settings: FleetSettings;
  /** A run's roles, its signal and listener in. */
  readonly roles: (abortSignal: AbortSignal, onEvent: ((event: PlanRunEvent) => void) | undefined) => Promise<RunRoles>;
  readonly keepLocal?: ((step: PlanStep) => boolean) | undefined;
  readonly onEvent?: ((event: PlanRunEvent) => void) | undefined;
}

/** What a run job ended with, for the worker's log line. */
export type RunJobOutcome = 'awaiting-approval' | 'already-ended' | 'nothing-to-do' | 'lost' | PlanRunResultStatus;
type PlanRunResultStatus = Awaited<ReturnType<typeof finishRun>>['status'];

/**
 * Does one run job: starts the run (or resumes it where a dead worker left it), plans and stops
 * when it waits for approval (holding no worker), carries it on after a verdict, or ends it as
 * cancelled. The run's lease lasts one heartbeat, so a worker that took the job over waits at
 * most that long for a silent holder's lease. The job's cancellation (`cancelRun`) aborts the run.
 */
export async function handleRunJob(job: Job<RunJobData>, context: RunHandlerContext): Promise<RunJobOutcome> {
  const controller = new AbortController();
  const watch = watchCancellation(job, context.boss, runQueue(context.agent), controller);
  try {
    const input = await runInput(job.data, context, controller);
    if (job.data.kind === 'cancel' || (job.data.kind === 'verdict' && (await isCancelled(context, job.data.runId)))) {
      return await cancelStored(input, job.data.task);
    }
    if (job.data.kind === 'verdict') return await applyVerdict(input, job.data.verdict);
    return await startOrResume(input, job.data.task, job.data.approval);
  } finally {
    watch();
  }
}

/**
 * Whether `cancelRun` asked for the run's end. A verdict sent while a cancel was under way (both
 * checked the run as waiting) would otherwise run the plan if its job were taken first.
 */
async function isCancelled(context: RunHandlerContext, runId: string): Promise<boolean> {
  return (await context.boss.getJobById(runQueue(context.agent), cancelJobId(runId))) !== null;
}

async function runInput(data: RunJobData, context: RunHandlerContext, controller: AbortController): Promise<ResumeInput> {
  const roles = await context.roles(controller.signal, context.onEvent);
  const heartbeatMs = context.settings.heartbeatSeconds * 1000;
  // One heartbeat of lease, renewed every third of it; a taker waits one more heartbeat for a frozen holder's lease to run out.
  const settings = { ...roles.settings, leaseMs: heartbeatMs, leaseWaitMs: 2 * heartbeatMs, approvePlan: undefined };
  const stepSeconds = Math.ceil((settings.stepTimeoutMs ?? settings.callTimeoutMs * settings.maxStepIterations) / 1000) + 5;
  const executor =
    data.kind !== 'cancel' && data.stepMode === 'steps'
      ? queueExecutor({
          boss: context.boss,
          queue: stepQueue(context.agent),
          runId: data.runId,
          local: roles.executor,
          keepLocal: context.keepLocal,
          redact: createRedactor({ extra: settings.redact }),
          expireInSeconds: Math.min(stepSeconds, 24 * 3600),
          onCancelled: () => controller.abort(new RunCancelledError()),
        })
      : roles.executor;
  return { ...roles, settings, executor, store: context.store, runId: data.runId };
}

async function startOrResume(input: ResumeInput, task: string, approval: boolean): Promise<RunJobOutcome> {
  const record = await input.store.load(input.runId);
  if (record?.result) return 'already-ended';
  if (record?.awaitingApproval) return 'awaiting-approval';
  if (!approval || record?.snapshot) {
    if (!record) return outcomeOf(await driveRun(await startRun({ ...input, task })));
    return outcomeOf(await resumePlan(input));
  }
  const context = record ? await loadRun(input) : await startRun({ ...input, task });
  if (!(context instanceof RunContext)) return 'already-ended';
  try {
    await planRun(context);
  } catch (error) {
    return outcomeOf(await finishRun(context, error));
  }
  await releaseRun(context);
  return 'awaiting-approval';
}

async function applyVerdict(input: ResumeInput, verdict: boolean | Plan): Promise<RunJobOutcome> {
  const context = await loadRun(input);
  if (!(context instanceof RunContext)) return context === null ? 'nothing-to-do' : 'already-ended';
  if (context.awaitingApproval) {
    try {
      await approveRun(context, verdict);
    } catch (error) {
      return outcomeOf(await finishRun(context, error));
    }
  }
  return outcomeOf(await driveRun(context));
}

async function cancelStored(input: ResumeInput, task: string): Promise<RunJobOutcome> {
  const opened = await loadRun(input).catch((error: unknown) => {
    if (isPlanExecuteError(error, 'INVALID_OPTIONS')) return null;
    throw error;
  });
  const context = opened ?? (await startRun({ ...input, task }).catch(() => null));
  if (!(context instanceof RunContext)) {
    if (context === null) throw new InvalidOptionsError(`Run "${input.runId}" could not be opened to cancel it`);
    return 'already-ended';
  }
  return outcomeOf(await finishRun(context, new RunCancelledError()));
}

/**
 * Aborts the run when its job is cancelled. pg-boss's heartbeat aborts `job.signal` when the
 * worker no longer holds the job: cancelled, or given to another worker after a silence. Only the
 * first ends the run; the second leaves it to the lease (this worker's next checkpoint is refused).
 */
function watchCancellation(job: Job<RunJobData>, boss: PgBoss, queue: string, controller: AbortController): () => void {
  const onAbort = async () => {
    const current = await boss.getJobById(queue, job.id).catch(() => null);
    if (current?.state === 'cancelled') controller.abort(new RunCancelledError());
  };
  job.signal.addEventListener('abort', onAbort, { once: true });
  return () => job.signal.removeEventListener('abort', onAbort);
}

/**
 * How a run this worker drove ended, for its log: `lost` when its checkpoints were refused
 * (RUN_LOCKED) because another worker took the run over; that result was not stored, the other
 * worker's stands.
 */
function outcomeOf(result: PlanRunResult): RunJobOutcome {
  return result.error?.code === 'RUN_LOCKED' ? 'lost' : result.status;
}
