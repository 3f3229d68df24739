import type { PgBoss } from 'pg-boss';
import { InvalidOptionsError } from '../engine/errors.ts';
import type { Plan } from '../engine/plan-schema.ts';
import type { PlanRunResult } from '../engine/result.ts';
import type { RunRecord } from '../engine/run-store.ts';
import { sleep } from '../engine/retry-delay.ts';
import { PostgresRunStore } from '../storage/postgres-run-store.ts';
import { type FleetOptions, type FleetSettings, resolveFleetSettings, RUN_QUEUE } from './fleet-settings.ts';
import { cancelJobId, continueJobId, startJobId } from './job-ids.ts';
import { openBoss } from './open-boss.ts';
import type { FleetStepMode, RunJobData } from './run-jobs.ts';

/** Options of `submitRun`. */
export interface SubmitOptions {
  /** The run's id. @default a random UUID */
  readonly runId?: string | undefined;
  /** Plan, then wait (holding no worker) until `approveRun` gives a verdict. @default false */
  readonly approval?: boolean | undefined;
  /** `run`: the worker that holds the run executes its steps; `steps`: each step attempt is a job any worker may take. @default 'run' */
  readonly stepMode?: FleetStepMode | undefined;
}

/** Where a run stands, as the fleet sees it. */
export type FleetRunState = 'queued' | 'running' | 'awaiting-approval' | PlanRunResult['status'];

/** A run as `getRun` reports it. */
export interface FleetRun {
  readonly runId: string;
  readonly task: string;
  readonly state: FleetRunState;
  /** Each planned step and its status; empty before the plan. */
  readonly steps: readonly { readonly id: string; readonly status: string }[];
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
  private constructor(
    private readonly boss: PgBoss,
    private readonly store: PostgresRunStore,
    /** The settings in use. */
    readonly settings: FleetSettings,
  ) {}

  /** Connects to the fleet's database (installing pg-boss's schema and the queues on first use). */
  static async connect(options: FleetOptions): Promise<FleetClient> {
    const settings = resolveFleetSettings(options);
    const boss = await openBoss(settings, { supervise: false });
    return new FleetClient(boss, new PostgresRunStore({ connectionString: settings.connectionString }), settings);
  }

  /**
   * Enqueues `task` as a run job and resolves to its run id. The job id derives from the run id:
   * InvalidOptionsError when that run was submitted (or stored) before.
   */
  async submitRun(task: string, { runId = crypto.randomUUID(), approval = false, stepMode = 'run' }: SubmitOptions = {}): Promise<string> {
    if (typeof task !== 'string' || task.trim() === '')
      throw new InvalidOptionsError(`Expected \`task\` to be a non-empty string, got ${JSON.stringify(task)}`);
    if (stepMode !== 'run' && stepMode !== 'steps')
      throw new InvalidOptionsError(`Expected \`stepMode\` to be 'run' or 'steps', got ${JSON.stringify(stepMode)}`);
    const data: RunJobData = { kind: 'start', runId, task, approval, stepMode };
    const sent = (await this.store.load(runId)) ? null : await this.boss.send(RUN_QUEUE, data, { id: startJobId(runId) });
    if (sent === null) throw new InvalidOptionsError(`A run with id "${runId}" was already submitted`);
    return runId;
  }

  /** Where `runId` stands; null when no such run was submitted. */
  async getRun(runId: string): Promise<FleetRun | null> {
    const [record, job] = await Promise.all([this.store.load(runId), this.startJob(runId)]);
    if (!record) return job ? { runId, task: job.data.task, state: job.state === 'cancelled' ? 'cancelled' : 'queued', steps: [], result: null } : null;
    return { runId, task: record.task, state: stateOf(record), steps: stepsOf(record), result: record.result };
  }

  /** Waits until `runId` has ended and resolves to its result; InvalidOptionsError for an unknown run, and after `timeoutMs` (the run goes on). */
  async waitForRun(runId: string, options: WaitOptions = {}): Promise<PlanRunResult> {
    const { timeoutMs, pollMs } = { ...WAIT_DEFAULTS, ...options };
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRun(runId);
      if (!run) throw new InvalidOptionsError(`No run with id "${runId}" was submitted`);
      if (run.result) return run.result;
      if (Date.now() >= giveUpAt) throw new InvalidOptionsError(`Run "${runId}" had not ended after ${timeoutMs} ms (state: ${run.state})`);
      await sleep(Math.min(pollMs, Math.max(0, giveUpAt - Date.now())));
    }
  }

  /**
   * Gives the verdict on a run waiting for approval: true approves the plan, an edited plan
   * replaces it, false rejects the run. A worker carries the run on. InvalidOptionsError when the
   * run does not wait for approval or a verdict was already given.
   */
  async approveRun(runId: string, verdict: boolean | Plan = true): Promise<void> {
    const record = await this.store.load(runId);
    if (record?.status !== 'running' || !record.awaitingApproval) {
      throw new InvalidOptionsError(`Run "${runId}" does not wait for approval${record ? ` (state: ${stateOf(record)})` : ' (no such run is stored yet)'}`);
    }
    const job = await this.startJob(runId);
    const data: RunJobData = { kind: 'verdict', runId, task: record.task, verdict, stepMode: job?.data.kind === 'start' ? job.data.stepMode : 'run' };
    if ((await this.boss.send(RUN_QUEUE, data, { id: continueJobId(runId) })) === null) {
      throw new InvalidOptionsError(`Run "${runId}" already has a verdict or a cancellation`);
    }
  }

  /**
   * Cancels `runId`: a running run's worker sees its job cancelled and ends the run `cancelled`
   * (its step jobs with it); a queued or waiting run is ended `cancelled` by the next free worker.
   * False when the run had already ended.
   */
  async cancelRun(runId: string): Promise<boolean> {
    const before = await this.getRun(runId);
    if (!before) throw new InvalidOptionsError(`No run with id "${runId}" was submitted`);
    if (before.result) return false;
    const jobs = [startJobId(runId), continueJobId(runId)];
    await this.boss.cancel(RUN_QUEUE, jobs);
    const held = (await Promise.all(jobs.map((id) => this.boss.getJobById(RUN_QUEUE, id)))).some((job) => job?.state === 'active');
    // A job that was active when cancelled is ended by its worker; nobody holds a queued or waiting run, so a worker is asked to.
    if (!held || before.state === 'awaiting-approval') {
      const data: RunJobData = { kind: 'cancel', runId, task: before.task };
      await this.boss.send(RUN_QUEUE, data, { id: cancelJobId(runId) });
    }
    return true;
  }

  /** Closes the connections (the runs go on on the workers). */
  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true });
    await this.store.close();
  }

  private async startJob(runId: string) {
    return this.boss.getJobById<RunJobData & { kind: 'start' }>(RUN_QUEUE, startJobId(runId));
  }
}

function stateOf(record: RunRecord): FleetRunState {
  if (record.result) return record.result.status;
  return record.awaitingApproval ? 'awaiting-approval' : 'running';
}

function stepsOf(record: RunRecord): FleetRun['steps'] {
  return record.snapshot?.steps.map((step) => ({ id: step.id, status: step.status })) ?? [];
}
