import type { Pool } from 'pg';
import type { PgBoss } from 'pg-boss';
import { InvalidOptionsError } from '../engine/errors.ts';
import type { Plan } from '../engine/plan-schema.ts';
import { createRedactor, type Redactor } from '../engine/redact.ts';
import type { PlanRunResult } from '../engine/result.ts';
import { sleep } from '../engine/retry-delay.ts';
import type { RunRecord } from '../engine/run-store.ts';
import { openPool } from '../storage/postgres-pool.ts';
import { PostgresRunStore } from '../storage/postgres-run-store.ts';
import { checkAgentName, DEFAULT_AGENT, type FleetOptions, type FleetSettings, resolveFleetSettings, runQueue, stepQueue } from './fleet-settings.ts';
import { cancelJobId, continueJobId, startJobId } from './job-ids.ts';
import { createAgentQueues, openBoss } from './open-boss.ts';
import type { StepJobData } from './queue-executor.ts';
import type { FleetStepMode, RunJobData } from './run-jobs.ts';
import { createSubmissionsTable, insertSubmission, loadSubmission, type Submission } from './submissions.ts';

/** Options of `FleetClient.connect`. */
export interface FleetClientOptions extends FleetOptions {
  /** Strings replaced by `[REDACTED]` in submitted tasks, on top of the environment's secrets. @default [] */
  readonly redact?: readonly string[] | undefined;
}

/** Options of `submitRun`. */
export interface SubmitOptions {
  /** The run's id. @default a random UUID */
  readonly runId?: string | undefined;
  /** Which registered agent's workers do the run (`startWorker`'s `agents` keys). @default 'default' */
  readonly agent?: string | undefined;
  /** Plan, then wait (holding no worker) until `approveRun` gives a verdict. @default false */
  readonly approval?: boolean | undefined;
  /** `run`: the worker that holds the run executes its steps; `steps`: each step attempt is a job any worker of the agent may take. @default 'run' */
  readonly stepMode?: FleetStepMode | undefined;
}

/** Where a run stands, as the fleet sees it. */
export type FleetRunState = 'queued' | 'running' | 'awaiting-approval' | PlanRunResult['status'];

/** A run as `getRun` reports it. */
export interface FleetRun {
  readonly runId: string;
  /** The agent whose workers do it. */
  readonly agent: string;
  readonly task: string;
  readonly state: FleetRunState;
  /** Each planned step and its status; empty before the plan. */
  readonly steps: readonly { readonly id: string; readonly status: string }[];
  /** The plan as the planner wrote it — what `approveRun` approves, or the base of an edited plan; null before planning. */
  readonly plan: Plan | null;
  /** The result once the run ended; null before. */
  readonly result: PlanRunResult | null;
}

/** How long `waitForRun` waits, and how often it looks. */
export interface WaitOptions {
  /** Give up after this many ms. @default 600000 */
  readonly timeoutMs?: number | undefined;
  /** Look this often, in ms. @default 250 */
  readonly pollMs?: number | undefined;
}

const WAIT_DEFAULTS = { timeoutMs: 600_000, pollMs: 250 } as const;

/**
 * The caller's side of a fleet: submits runs as pg-boss jobs on the fleet's PostgreSQL, reads
 * them back from the run store, approves and cancels them. Workers (`startWorker`) do the runs.
 * @example
 * const fleet = await FleetClient.connect({ connectionString: process.env.DATABASE_URL! });
 * const runId = await fleet.submitRun('Write the release notes');
 * const result = await fleet.waitForRun(runId);
 * await fleet.close();
 */
export class FleetClient {
  private readonly queues = new Set<string>();
  private closed = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: Pool,
    private readonly store: PostgresRunStore,
    private readonly redact: Redactor,
    /** The settings in use. */
    readonly settings: FleetSettings,
  ) {}

  /** Connects to the fleet's database, installing pg-boss's schema and the submissions table on first use. */
  static async connect(options: FleetClientOptions): Promise<FleetClient> {
    const settings = resolveFleetSettings(options);
    // The stores' time limits (POSTGRES_TIMEOUTS): a database that is down, silent or locked fails a call instead of hanging it.
    const pool = openPool(settings.connectionString, {}, { max: 4 });
    try {
      await createSubmissionsTable(pool);
      const boss = await openBoss(settings, { supervise: false });
      const redact = createRedactor({ env: process.env, extra: options.redact ?? [] });
      return new FleetClient(boss, pool, new PostgresRunStore({ pool }), redact, settings);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /**
   * Enqueues `task` as a run job of `agent` and resolves to its run id. The submission and the job
   * are one transaction; the job id derives from the run id. InvalidOptionsError when that run id
   * was submitted (or stored) before, or for a bad option. The task is stored redacted.
   */
  async submitRun(task: string, options: SubmitOptions = {}): Promise<string> {
    const submission = this.submission(task, options);
    if (await this.store.load(submission.runId)) throw alreadySubmitted(submission.runId);
    await this.ensureQueues(submission.agent);
    const data: RunJobData = { kind: 'start', runId: submission.runId, task: submission.task, approval: submission.approval, stepMode: submission.stepMode };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (!(await insertSubmission(client, submission))) throw alreadySubmitted(submission.runId);
      const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
      await this.boss.send(runQueue(submission.agent), data, { id: startJobId(submission.runId), db });
      await client.query('COMMIT');
      return submission.runId;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Where `runId` stands; null when no such run was submitted. */
  async getRun(runId: string): Promise<FleetRun | null> {
    const [submission, record] = await Promise.all([loadSubmission(this.pool, runId), this.store.load(runId)]);
    if (!submission) return null;
    const base = { runId, agent: submission.agent, task: submission.task };
    if (!record) return { ...base, state: 'queued', steps: [], plan: null, result: null };
    return { ...base, state: stateOf(record), steps: stepsOf(record), plan: record.snapshot?.initialPlan ?? null, result: record.result };
  }

  /** Waits until `runId` has ended and resolves to its result; InvalidOptionsError for an unknown run or a bad option, and after `timeoutMs` (the run goes on). */
  async waitForRun(runId: string, { timeoutMs = WAIT_DEFAULTS.timeoutMs, pollMs = WAIT_DEFAULTS.pollMs }: WaitOptions = {}): Promise<PlanRunResult> {
    // Defaults in the destructuring: a spread would let `{ pollMs: undefined }` through, and NaN never times out.
    if (!(timeoutMs >= 0)) throw new InvalidOptionsError(`Expected \`timeoutMs\` to be a number from 0 and up, got ${String(timeoutMs)}`);
    if (!(pollMs >= 1 && pollMs <= 60_000)) throw new InvalidOptionsError(`Expected \`pollMs\` to be a number from 1 to 60000, got ${String(pollMs)}`);
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRun(runId);
      if (!run) throw unknownRun(runId);
      if (run.result) return run.result;
      if (Date.now() >= giveUpAt) throw new InvalidOptionsError(`Run "${runId}" had not ended after ${timeoutMs} ms (state: ${run.state})`);
      await sleep(Math.min(pollMs, Math.max(0, giveUpAt - Date.now())));
    }
  }

  /**
   * Gives the verdict on a run waiting for approval: true approves the plan, an edited plan
   * replaces it (validated by the worker), false rejects the run. A worker carries the run on.
   * InvalidOptionsError when the run does not wait for approval, already has a verdict, or was cancelled.
   */
  async approveRun(runId: string, verdict: boolean | Plan = true): Promise<void> {
    const [submission, record] = await Promise.all([loadSubmission(this.pool, runId), this.store.load(runId)]);
    if (!submission) throw unknownRun(runId);
    if (record?.status !== 'running' || !record.awaitingApproval) {
      throw new InvalidOptionsError(`Run "${runId}" does not wait for approval (state: ${record ? stateOf(record) : 'queued'})`);
    }
    const queue = runQueue(submission.agent);
    // A cancelled run still waits until a worker ends it: a verdict now would race that worker (it loses: see run-handler).
    if (await this.boss.getJobById(queue, cancelJobId(runId))) throw new InvalidOptionsError(`Run "${runId}" was cancelled`);
    // An edited plan is stored in the job like the task: without the secrets.
    const data: RunJobData = { kind: 'verdict', runId, task: submission.task, verdict: this.redact(verdict), stepMode: submission.stepMode };
    if ((await this.boss.send(queue, data, { id: continueJobId(runId) })) === null) {
      throw new InvalidOptionsError(`Run "${runId}" already has a verdict`);
    }
  }

  /**
   * Cancels `runId`: the worker holding it sees its job cancelled and ends the run `cancelled`
   * (cancelling its step jobs); a queued or waiting run is ended `cancelled` by the next free
   * worker of its agent. Resolves to false when the run had already ended.
   */
  async cancelRun(runId: string): Promise<boolean> {
    const run = await this.getRun(runId);
    if (!run) throw unknownRun(runId);
    if (run.result) return false;
    const queue = runQueue(run.agent);
    await this.boss.cancel(queue, [startJobId(runId), continueJobId(runId)]);
    // Its step jobs too: a live holder would cancel them on its abort, a dead one cannot.
    const steps = await this.boss.findJobs<StepJobData>(stepQueue(run.agent), { data: { runId } });
    const open = steps.filter((job) => job.state === 'created' || job.state === 'retry' || job.state === 'active').map((job) => job.id);
    if (open.length > 0) await this.boss.cancel(stepQueue(run.agent), open);
    // Always, even for a run a worker holds: that worker may be dead (its job, now cancelled, would never be retried).
    // A live holder ends the run itself within a heartbeat; the cancel job then finds it ended.
    const data: RunJobData = { kind: 'cancel', runId, task: run.task };
    await this.boss.send(queue, data, { id: cancelJobId(runId) });
    return true;
  }

  /** Closes the connections (the runs go on, on the workers); a second call does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.boss.stop({ graceful: false, close: true });
    await this.pool.end();
  }

  private submission(task: string, { runId = crypto.randomUUID(), agent = DEFAULT_AGENT, approval = false, stepMode = 'run' }: SubmitOptions): Submission {
    if (typeof task !== 'string' || task.trim() === '')
      throw new InvalidOptionsError(`Expected \`task\` to be a non-empty string, got ${JSON.stringify(task)}`);
    if (typeof runId !== 'string' || runId.trim() === '')
      throw new InvalidOptionsError(`Expected \`runId\` to be a non-empty string, got ${JSON.stringify(runId)}`);
    if (stepMode !== 'run' && stepMode !== 'steps')
      throw new InvalidOptionsError(`Expected \`stepMode\` to be 'run' or 'steps', got ${JSON.stringify(stepMode)}`);
    return { runId, agent: checkAgentName(agent), task: this.redact(task), stepMode, approval: approval === true };
  }

  private async ensureQueues(agent: string): Promise<void> {
    if (this.queues.has(agent)) return;
    await createAgentQueues(this.boss, this.settings, agent);
    this.queues.add(agent);
  }
}

const alreadySubmitted = (runId: string) => new InvalidOptionsError(`A run with id "${runId}" was already submitted`);
const unknownRun = (runId: string) => new InvalidOptionsError(`No run with id "${runId}" was submitted`);

function stateOf(record: RunRecord): FleetRunState {
  if (record.result) return record.result.status;
  return record.awaitingApproval ? 'awaiting-approval' : 'running';
}

function stepsOf(record: RunRecord): FleetRun['steps'] {
  return record.snapshot?.steps.map((step) => ({ id: step.id, status: step.status })) ?? [];
}
