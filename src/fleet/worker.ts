import { hostname } from 'node:os';
import type { Job } from 'pg-boss';
import { InvalidOptionsError } from '../engine/errors.ts';
import type { PlanRunEvent } from '../engine/events.ts';
import type { PlanStep } from '../engine/plan-schema.ts';
import { createRedactor } from '../engine/redact.ts';
import type { PlanAndExecute } from '../plan-and-execute.ts';
import { PostgresRunStore } from '../storage/postgres-run-store.ts';
import { type FleetOptions, resolveFleetSettings, RUN_QUEUE, STEP_QUEUE } from './fleet-settings.ts';
import { openBoss } from './open-boss.ts';
import { handleRunJob } from './run-handler.ts';
import type { RunJobData } from './run-jobs.ts';
import { handleStepJob } from './step-handler.ts';
import type { StepJobData } from './queue-executor.ts';

/** Options of `startWorker`. */
export interface WorkerOptions extends FleetOptions {
  /** The agent whose planner, executor, synthesizer, tools and settings the runs use (its own `store` is not used: the fleet's is). */
  readonly agent: PlanAndExecute;
  /** Runs this worker drives at once. @default 2 */
  readonly concurrency?: number | undefined;
  /** Step jobs this worker executes at once (step mode). @default 4 */
  readonly stepConcurrency?: number | undefined;
  /** Steps of step-mode runs kept on the run's own worker, for tools that share its local workspace. @default none */
  readonly keepLocal?: ((step: PlanStep) => boolean) | undefined;
  /** Receives one line per job taken and finished. @default none */
  readonly log?: ((line: string) => void) | undefined;
  /** Receives the events of the runs this worker drives. */
  readonly onEvent?: ((event: PlanRunEvent) => void) | undefined;
  /** How long `stop()` lets running jobs finish before leaving them to other workers, in ms. @default 30000 */
  readonly stopTimeoutMs?: number | undefined;
}

/** A running worker. */
export interface FleetWorker {
  /** `host:pid`, as in its log lines. */
  readonly id: string;
  /** Takes no new job, lets running ones finish for up to `stopTimeoutMs` (then pg-boss gives them to other workers), and closes its connections. */
  stop(): Promise<void>;
}

/**
 * Starts a worker: takes run jobs (and, in step mode, step jobs) from the fleet's queues and does
 * them with `agent`, until `stop()`. Run jobs heartbeat every half `heartbeatSeconds`; when a
 * worker dies or freezes, pg-boss gives its jobs to another worker after one silent heartbeat.
 * @example
 * const worker = await startWorker({ connectionString: process.env.DATABASE_URL!, agent, concurrency: 4 });
 * process.once('SIGTERM', () => void worker.stop());
 */
export async function startWorker(options: WorkerOptions): Promise<FleetWorker> {
  const settings = resolveFleetSettings(options);
  const concurrency = positive('concurrency', options.concurrency ?? 2);
  const stepConcurrency = positive('stepConcurrency', options.stepConcurrency ?? 4);
  const { agent, log = () => {}, stopTimeoutMs = 30_000 } = options;
  const id = `${hostname()}:${process.pid}`;
  const boss = await openBoss(settings, { supervise: true });
  const store = new PostgresRunStore({ connectionString: settings.connectionString });
  const stepRoles = await agent.runRoles();
  const redact = createRedactor({ extra: stepRoles.settings.redact });
  const polling = { pollingIntervalSeconds: settings.pollingIntervalSeconds, heartbeatRefreshSeconds: 1 };
  const runContext = {
    boss,
    store,
    settings,
    keepLocal: options.keepLocal,
    onEvent: options.onEvent,
    roles: (abortSignal: AbortSignal, onEvent?: (event: PlanRunEvent) => void) => agent.runRoles({ abortSignal, onEvent }),
  };
  const line = (text: string) => log(redact(`${new Date().toISOString()} worker ${id} ${text}`));
  await boss.work<RunJobData>(RUN_QUEUE, { ...polling, localConcurrency: concurrency }, async ([job]) =>
    logged(line, describeRun(job!), async () => {
      const outcome = await handleRunJob(job!, runContext);
      return { outcome, value: outcome };
    }),
  );
  await boss.work<StepJobData, unknown, { transactional: true; localConcurrency: number; pollingIntervalSeconds: number; heartbeatRefreshSeconds: number }>(
    STEP_QUEUE,
    { ...polling, transactional: true, localConcurrency: stepConcurrency },
    async ([job]) =>
      logged(line, `step ${job!.data.runId}/${job!.data.request.step.id}#${job!.data.request.attempt}`, async () => {
        const output = await handleStepJob(job!, stepRoles.executor, redact);
        return { outcome: 'reply' in output ? (output.reply.value.success ? 'done' : 'failed') : `error: ${output.error.message}`, value: output };
      }),
  );
  line(`ready (runs ${concurrency}, steps ${stepConcurrency})`);
  return {
    id,
    async stop() {
      await boss.stop({ graceful: true, timeout: stopTimeoutMs, close: true });
      await store.close();
      line('stopped');
    },
  };
}

function describeRun(job: Job<RunJobData>): string {
  return `run ${job.data.runId} ${job.data.kind}${job.retryCount > 0 ? ` (retry ${job.retryCount})` : ''}`;
}

/** Runs one job, logging one line when it ends: what it was, how it ended, how long it took. */
async function logged<T>(line: (text: string) => void, what: string, work: () => Promise<{ readonly outcome: string; readonly value: T }>): Promise<T> {
  const startedAt = Date.now();
  try {
    const { outcome, value } = await work();
    line(`${what} → ${outcome} in ${Date.now() - startedAt} ms`);
    return value;
  } catch (error) {
    line(`${what} → error in ${Date.now() - startedAt} ms: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new InvalidOptionsError(`Expected \`${name}\` to be an integer from 1 to 1000, got ${String(value)}`);
  return value;
}
