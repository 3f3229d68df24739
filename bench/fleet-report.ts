/**
 * The pure parts of `npm run bench -- fleet`: its options, what the workers' log says about a
 * batch (throughput, ratio to one worker) and a takeover (times from the kill), and the report.
 */
import type { Plan } from '../src/engine/plan-schema.ts';
import type { LogRow } from './fleet-log.ts';
import { median } from './measure.ts';

/** Options of the fleet bench. */
export interface FleetBenchOptions {
  /** Runs in each batch. */
  readonly runs: number;
  /** Time each scripted model call takes, in ms. */
  readonly delayMs: number;
  /** Runs each worker drives at once. */
  readonly concurrency: number;
  /** Worker counts to time the batch with; the first is the baseline. */
  readonly workerCounts: readonly number[];
  /** Workers killed in the middle of a run, one takeover each. */
  readonly kills: number;
  /** Print the workers' log lines. */
  readonly verbose: boolean;
}

/** 24 runs: one worker does them in 12 rounds of 2, two in 6, three in 4, so the ideal ratios are 2× and 3× exactly. */
export const FLEET_BENCH_DEFAULTS: FleetBenchOptions = { runs: 24, delayMs: 200, concurrency: 2, workerCounts: [1, 2, 3], kills: 2, verbose: false };
/** `--quick`: half the batch and one kill (ideal ratios still 2× and 3×). */
export const FLEET_BENCH_QUICK = { runs: 12, kills: 1 } as const;

const USAGE = 'usage: npm run bench -- fleet [--quick] [--runs N] [--delay MS] [--concurrency N] [--kills N] [--verbose]';
const NUMERIC_FLAGS = { '--runs': 'runs', '--delay': 'delayMs', '--concurrency': 'concurrency', '--kills': 'kills' } as const;

/** Reads the bench's arguments (after `fleet`); throws with the usage line on anything else. */
export function parseFleetArguments(args: readonly string[]): FleetBenchOptions {
  let options: FleetBenchOptions = { ...FLEET_BENCH_DEFAULTS, ...(args.includes('--quick') ? FLEET_BENCH_QUICK : {}) };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--quick') continue;
    if (arg === '--verbose') options = { ...options, verbose: true };
    else if (arg in NUMERIC_FLAGS) {
      const value = Number(args[++index]);
      if (!Number.isInteger(value) || value < (arg === '--delay' || arg === '--kills' ? 0 : 1)) {
        throw new Error(
          `Expected ${arg} to be followed by a whole number${arg === '--delay' || arg === '--kills' ? '' : ' from 1'}, got ${String(args[index])}\n${USAGE}`,
        );
      }
      options = { ...options, [NUMERIC_FLAGS[arg as keyof typeof NUMERIC_FLAGS]]: value };
    } else throw new Error(`Unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return options;
}

/** Model calls on a run's critical path: the plan, two executor turns per layer of the DAG, the synthesis. */
export function criticalModelCalls(plan: Plan): number {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const step = plan.steps.find((candidate) => candidate.id === id)!;
    const value = 1 + Math.max(0, ...step.dependsOn.map(depthOf));
    depth.set(id, value);
    return value;
  };
  return 2 + 2 * Math.max(0, ...plan.steps.map((step) => depthOf(step.id)));
}

/** The best speed-up `workers` can give over `baseline` workers: runs go in rounds of `workers × concurrency`. */
export function idealRatio(runs: number, concurrency: number, workers: number, baseline = 1): number {
  return Math.ceil(runs / (baseline * concurrency)) / Math.ceil(runs / (workers * concurrency));
}

/** One timed batch. */
export interface BatchSummary {
  readonly workers: number;
  readonly runs: number;
  /** From the first submit to the last run's end. */
  readonly seconds: number;
  readonly runsPerSecond: number;
  /** Distinct worker processes that started runs. */
  readonly workersUsed: number;
  /** The median run's time from its start on a worker to its end: above the model time, the overhead (CPU, database). */
  readonly medianRunSeconds: number;
  /** `record` calls: 6 a run when no step ran twice. */
  readonly records: number;
  /** CPU the workers spent during the batch, in seconds (all workers together). */
  readonly cpuSeconds: number;
}

/** What the log says about a batch submitted at `startedAtMs`; throws unless every run ended. */
export function summariseBatch(
  rows: readonly LogRow[],
  batch: { readonly workers: number; readonly runs: number; readonly startedAtMs: number; readonly cpuSeconds: number },
): BatchSummary {
  const finished = rows.filter((row) => row.kind === 'run-finished');
  if (finished.length !== batch.runs) throw new Error(`Expected ${batch.runs} runs to have finished, the log has ${finished.length}`);
  const seconds = (Math.max(...finished.map((row) => row.atMs)) - batch.startedAtMs) / 1000;
  return {
    workers: batch.workers,
    runs: batch.runs,
    seconds,
    runsPerSecond: batch.runs / seconds,
    workersUsed: new Set(rows.filter((row) => row.kind === 'run-started').map((row) => row.worker)).size,
    medianRunSeconds: median(finished.map((end) => end.atMs - rows.find((row) => row.kind === 'run-started' && row.runId === end.runId)!.atMs)) / 1000,
    records: rows.filter((row) => row.kind === 'record').length,
    cpuSeconds: batch.cpuSeconds,
  };
}

/** One takeover: times from the SIGKILL, in ms, and which steps ran again. */
export interface TakeoverSummary {
  /** Until another worker resumed the run (took its job and its lease). */
  readonly toResumedMs: number;
  /** Until another worker's first `record` call (a step of the run running again). */
  readonly toFirstRecordMs: number;
  /** Until the run ended. */
  readonly toFinishedMs: number;
  /** Steps whose end the killed worker had logged before the kill. */
  readonly doneBeforeKill: readonly string[];
  /** Steps the killed worker had recorded before the kill that another worker recorded again: the steps in flight. */
  readonly reRun: readonly string[];
  /** Steps of `doneBeforeKill` recorded again: 0 when done steps are exactly-once. */
  readonly doneStepsReRun: number;
}

/** What the log says about the run `runId` after its worker `killedPid` was killed at `killedAtMs`. */
export function summariseTakeover(
  rows: readonly LogRow[],
  kill: { readonly runId: string; readonly killedPid: number; readonly killedAtMs: number },
): TakeoverSummary {
  const ofRun = rows.filter((row) => row.runId === kill.runId);
  const before = ofRun.filter((row) => row.worker === kill.killedPid && row.atMs < kill.killedAtMs);
  const after = ofRun.filter((row) => row.worker !== kill.killedPid && row.atMs >= kill.killedAtMs);
  const firstAfter = (kind: LogRow['kind']) => {
    const row = after.find((candidate) => candidate.kind === kind);
    if (!row) throw new Error(`The log has no ${kind} of run ${kill.runId} by another worker after the kill`);
    return row.atMs - kill.killedAtMs;
  };
  const stepsOf = (from: readonly LogRow[], kind: LogRow['kind']) => new Set(from.filter((row) => row.kind === kind).map((row) => row.stepId!));
  const recordedAfter = stepsOf(after, 'record');
  const doneBeforeKill = [...stepsOf(before, 'step-finished')].sort();
  return {
    toResumedMs: firstAfter('run-resumed'),
    toFirstRecordMs: firstAfter('record'),
    toFinishedMs: firstAfter('run-finished'),
    doneBeforeKill,
    reRun: [...stepsOf(before, 'record')].filter((stepId) => recordedAfter.has(stepId)).sort(),
    doneStepsReRun: doneBeforeKill.filter((stepId) => recordedAfter.has(stepId)).length,
  };
}

/** Everything the report prints. */
export interface FleetReport {
  /** The machine line (bench/report.ts `describeMachine`, formatted). */
  readonly machine: string;
  /** When the bench started (ISO 8601). */
  readonly date: string;
  readonly options: FleetBenchOptions;
  /** The fleet settings the workers ran with, and the takeover bound they give. */
  readonly settings: {
    readonly heartbeatSeconds: number;
    readonly monitorIntervalSeconds: number;
    readonly pollingIntervalSeconds: number;
    readonly takeoverBoundMs: number;
  };
  readonly plan: Plan;
  readonly cores: number;
  readonly batches: readonly BatchSummary[];
  readonly takeovers: readonly TakeoverSummary[];
  readonly seconds: number;
}

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The report as plain text. */
export function formatFleetReport(report: FleetReport): string {
  const { options, settings, plan } = report;
  const baseline = report.batches[0];
  const batchRows = report.batches.map((batch) => [
    String(batch.workers),
    batch.seconds.toFixed(1),
    batch.runsPerSecond.toFixed(2),
    `${(batch.runsPerSecond / baseline!.runsPerSecond).toFixed(2)}×`,
    `${idealRatio(options.runs, options.concurrency, batch.workers, baseline!.workers).toFixed(2)}×`,
    String(batch.workersUsed),
    batch.medianRunSeconds.toFixed(2),
    String(batch.records),
    `${batch.cpuSeconds.toFixed(1)} s (${Math.round((100 * batch.cpuSeconds) / (batch.seconds * report.cores))}%)`,
  ]);
  const takeoverRows = report.takeovers.map((takeover, index) => [
    String(index + 1),
    seconds(takeover.toResumedMs),
    seconds(takeover.toFirstRecordMs),
    seconds(takeover.toFinishedMs),
    takeover.doneBeforeKill.join(', ') || '-',
    takeover.reRun.join(', ') || '-',
    String(takeover.doneStepsReRun),
  ]);
  return [
    `Fleet bench, ${report.date}; ${report.machine}`,
    `workload: ${options.runs} runs of the ${plan.steps.length}-step DAG (${2 + 2 * plan.steps.length} model calls a run, ${criticalModelCalls(plan)} on its critical path), scripted models taking ${options.delayMs} ms a call; each worker drives ${options.concurrency} runs at once`,
    `fleet: heartbeatSeconds ${settings.heartbeatSeconds}, monitorIntervalSeconds ${settings.monitorIntervalSeconds}, pollingIntervalSeconds ${settings.pollingIntervalSeconds} (takeoverBoundMs ${settings.takeoverBoundMs})`,
    '',
    ...table(['workers', 'seconds', 'runs/s', 'ratio', 'ideal', 'used', 'run s', 'records', `worker CPU (% of ${report.cores} cores)`], batchRows),
    '',
    'takeover: 2 workers, 1 run; the worker holding it SIGKILLed just after a step of the middle layer made its tool call; times from the kill',
    ...(takeoverRows.length > 0
      ? table(['kill', 'resumed', 'first record', 'completed', 'done before the kill', 're-run', 'done steps re-run'], takeoverRows)
      : ['(no kills)']),
    '',
    `${report.seconds.toFixed(1)} s in all`,
  ].join('\n');
}
