import { hostname } from 'node:os';
import type { Job, PgBoss } from 'pg-boss';
import { InvalidOptionsError } from '../engine/errors.ts';
import type { PlanRunEvent } from '../engine/events.ts';
import type { PlanStep } from '../engine/plan-schema.ts';
import { createRedactor } from '../engine/redact.ts';
import type { RunRoles } from '../engine/run-input.ts';
import { PostgresRunStore } from '../storage/postgres-run-store.ts';
import { checkAgentName, type FleetOptions, type FleetSettings, resolveFleetSettings, runQueue, stepQueue } from './fleet-settings.ts';
import { createAgentQueues, openBoss } from './open-boss.ts';
import type { StepJobData } from './queue-executor.ts';
import { handleRunJob, type RunHandlerContext } from './run-handler.ts';
import type { RunJobData } from './run-jobs.ts';
import { handleStepJob } from './step-handler.ts';

/** What a worker runs runs with: a `PlanAndExecute` is one (anything that gives a run's roles, tools and settings). */
export interface FleetAgent {
  /** The roles, tools, settings and hooks of one run. */
  runRoles(hooks?: { readonly abortSignal?: AbortSignal | undefined; readonly onEvent?: ((event: PlanRunEvent) => void) | undefined }): Promise<RunRoles>;
}

/** Options of `startWorker`. */
export interface WorkerOptions extends FleetOptions {
  /**
   * The agents this worker does runs for, by the name `submitRun` gives as `agent` (a
   * `PlanAndExecute` each; its own `store` is not used: the fleet's is). `default` takes runs
   * submitted without one.
   */
  readonly agents: Readonly<Record<string, FleetAgent>>;
  /** Runs this worker drives at once, per agent. @default 2 */
  readonly concurrency?: number | undefined;
  /** Step jobs this worker executes at once, per agent (step mode). @default 4 */
  readonly stepConcurrency?: number | undefined;
  /** Steps of step-mode runs kept on the run's own worker, for tools that share its local workspace; `agent` is the run's agent. @default none */
  readonly keepLocal?: ((step: PlanStep, agent: string) => boolean) | undefined;
  /** Receives one line per job done (and one when ready and when stopped). @default none */
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

interface WorkerParts {
  readonly boss: PgBoss;
  readonly store: PostgresRunStore;
  readonly settings: FleetSettings;
  readonly options: WorkerOptions;
  readonly line: (text: string) => void;
}

/**
 * Starts a worker: takes the run jobs (and, in step mode, the step jobs) of its agents from the
 * fleet's queues and does them, until `stop()`. Jobs heartbeat every second; when a worker dies or
 * freezes, pg-boss gives its jobs to another worker after `heartbeatSeconds` of silence, and the
 * run resumes from its last checkpoint.
 * @example
 * const worker = await startWorker({ connectionString: process.env.DATABASE_URL!, agents: { default: agent } });
 * process.once('SIGTERM', () => void worker.stop());
 */
export async function startWorker(options: WorkerOptions): Promise<FleetWorker> {
  const settings = resolveFleetSettings(options);
  const names = Object.keys(options.agents ?? {}).map(checkAgentName);
  if (names.length === 0) throw new InvalidOptionsError('Expected `agents` to name at least one agent, e.g. { default: agent }');
  const concurrency = positive('concurrency', options.concurrency ?? 2);
  const stepConcurrency = positive('stepConcurrency', options.stepConcurrency ?? 4);
  const id = `${hostname()}:${process.pid}`;
  // Each running step job holds a connection for its transaction: one per step slot of each agent.
  const boss = await openBoss(settings, { supervise: true, heldConnections: names.length * stepConcurrency });
  const store = new PostgresRunStore({ connectionString: settings.connectionString });
  const redactLine = createRedactor({ env: process.env });
  const line = (text: string) => options.log?.(redactLine(`${new Date().toISOString()} worker ${id} ${text}`));
  const close = async () => {
    await boss.stop({ graceful: true, timeout: options.stopTimeoutMs ?? 30_000, close: true });
    await store.close();
  };
  try {
    for (const name of names) {
      await workAgent({ boss, store, settings, options, line }, name, options.agents[name]!, { concurrency, stepConcurrency });
    }
  } catch (error) {
    // The agents registered so far already work their queues: left running, they would take jobs for a worker nobody can stop.
    await close().catch(() => undefined);
    throw error;
  }
  line(`ready: agents ${names.join(', ')}; runs ${concurrency}, steps ${stepConcurrency} at once per agent`);
  return {
    id,
    async stop() {
      await close();
      line('stopped');
    },
  };
}

async function workAgent(parts: WorkerParts, name: string, agent: FleetAgent, limits: { concurrency: number; stepConcurrency: number }): Promise<void> {
  const { boss, settings, options, line } = parts;
  const keepLocal = options.keepLocal;
  await createAgentQueues(boss, settings, name);
  const stepRoles = await agent.runRoles();
  const redact = createRedactor({ extra: stepRoles.settings.redact });
  // NOTIFY wakes a worker for a new job, not for one a dead worker's heartbeat put back to `retry`: without the
  // second interval, pg-boss's backstop poll (30 s) would bound the takeover instead of pollingIntervalSeconds.
  const polling = {
    pollingIntervalSeconds: settings.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: settings.pollingIntervalSeconds,
    heartbeatRefreshSeconds: 1,
  };
  const context: RunHandlerContext = {
    boss,
    agent: name,
    store: parts.store,
    settings,
    keepLocal: keepLocal && ((step: PlanStep) => keepLocal(step, name)),
    onEvent: options.onEvent,
    roles: (abortSignal, onEvent) => agent.runRoles({ abortSignal, onEvent }),
  };
  await boss.work<RunJobData>(runQueue(name), { ...polling, localConcurrency: limits.concurrency }, async ([job]) =>
    logged(line, describeRun(name, job!), async () => {
      const outcome = await handleRunJob(job!, context);
      return { outcome, value: outcome };
    }),
  );
  const stepOptions = { ...polling, transactional: true, localConcurrency: limits.stepConcurrency } as const;
  await boss.work<StepJobData, unknown, typeof stepOptions>(stepQueue(name), stepOptions, async ([job]) =>
    logged(line, `${name} step ${job!.data.runId}/${job!.data.request.step.id}#${job!.data.request.attempt}`, async () => {
      const output = await handleStepJob(job!, stepRoles.executor, redact);
      return { outcome: 'reply' in output ? (output.reply.value.success ? 'done' : 'failed') : `error: ${output.error.message}`, value: output };
    }),
  );
}

function describeRun(agent: string, job: Job<RunJobData>): string {
  return `${agent} run ${job.data.runId} ${job.data.kind}${job.retryCount > 0 ? ` (retry ${job.retryCount})` : ''}`;
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
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new InvalidOptionsError(`Expected \`${name}\` to be an integer from 1 to 1000, got ${String(value)}`);
  }
  return value;
}
