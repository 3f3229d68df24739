import type { StepFailure } from './policy.ts';
import type { PlanRunResult, RunStatus, RunWarning, StepResult } from './result.ts';
import type { TrackerSnapshot } from './tracker.ts';
import type { RunUsage } from './usage.ts';

/** Everything needed to resume a run, written after every step transition; plain JSON. */
export interface RunRecord {
  /** Record format version. */
  readonly version: 1;
  /** The run's id. */
  readonly runId: string;
  /** The task as given. */
  readonly task: string;
  /** `running` until the run ends, then its final status. */
  readonly status: 'running' | RunStatus;
  /** When the run first started (ISO 8601). */
  readonly startedAt: string;
  /** The tracker's state; null while no plan was accepted. */
  readonly snapshot: TrackerSnapshot | null;
  /** Every step attempt so far. */
  readonly stepResults: readonly StepResult[];
  /** Tokens spent so far. */
  readonly usage: RunUsage;
  /** Replanner calls made so far. */
  readonly replansUsed: number;
  /** Permanent failures not yet handled (replan, skip, abort or fail). */
  readonly pendingFailures: readonly StepFailure[];
  /** Repairs counted so far (absent in records written by 0.1). */
  readonly repairs?: Readonly<Record<string, number>>;
  /** Warnings raised so far (absent in records written by 0.1). */
  readonly warnings?: readonly RunWarning[];
  /** The result, once the run ended. */
  readonly result: PlanRunResult | null;
}

/** Where runs are checkpointed; implement it over any database. Writes for one run arrive in order. */
export interface RunStore {
  /** Creates or replaces the record of `record.runId`. */
  save(record: RunRecord): Promise<void>;
  /** The record of `runId`, or null when there is none. */
  load(runId: string): Promise<RunRecord | null>;
}

/** A RunStore in memory, for tests and single-process use. */
export class InMemoryRunStore implements RunStore {
  private readonly records = new Map<string, string>();

  async save(record: RunRecord): Promise<void> {
    this.records.set(record.runId, JSON.stringify(record));
  }

  async load(runId: string): Promise<RunRecord | null> {
    const json = this.records.get(runId);
    return json === undefined ? null : (JSON.parse(json) as RunRecord);
  }
}
