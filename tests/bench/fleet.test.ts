import { describe, expect, it } from 'vitest';
import type { LogRow } from '../../bench/fleet-log.ts';
import {
  type BatchSummary,
  criticalModelCalls,
  FLEET_BENCH_DEFAULTS,
  formatFleetReport,
  idealRatio,
  parseFleetArguments,
  summariseBatch,
  summariseTakeover,
} from '../../bench/fleet-report.ts';
import { plan, step } from '../helpers/plans.ts';

/** The shape of the fleet world's DAG: a, then b, c, d side by side, e after b and c, f after d and e. */
const DAG = plan([step('a'), step('b', ['a']), step('c', ['a']), step('d', ['a']), step('e', ['b', 'c']), step('f', ['d', 'e'])]);

const row = (runId: string, kind: LogRow['kind'], worker: number, atMs: number, stepId: string | null = null): LogRow => ({
  runId,
  kind,
  stepId,
  worker,
  atMs,
});

describe('parseFleetArguments', () => {
  it('takes the defaults, --quick and the numeric flags', () => {
    expect(parseFleetArguments([])).toEqual({ runs: 24, delayMs: 200, concurrency: 2, workerCounts: [1, 2, 3], kills: 2, verbose: false });
    expect(parseFleetArguments(['--quick'])).toEqual({ ...FLEET_BENCH_DEFAULTS, runs: 12, kills: 1 });
    expect(parseFleetArguments(['--quick', '--runs', '30', '--delay', '0', '--concurrency', '3', '--kills', '0', '--verbose'])).toEqual({
      ...FLEET_BENCH_DEFAULTS,
      runs: 30,
      delayMs: 0,
      concurrency: 3,
      kills: 0,
      verbose: true,
    });
  });

  it.each([
    [['--runs', '0'], 'Expected --runs to be followed by a whole number from 1, got 0'],
    [['--delay', '-5'], 'Expected --delay to be followed by a whole number, got -5'],
    [['--concurrency'], 'Expected --concurrency to be followed by a whole number from 1, got undefined'],
    [['--workers', '4'], 'Unknown argument "--workers"'],
  ])('refuses %j', (args, message) => {
    expect(() => parseFleetArguments(args)).toThrow(message);
  });
});

describe('the workload arithmetic', () => {
  it('counts the model calls on the critical path: plan, two executor turns per layer, synthesis', () => {
    expect(criticalModelCalls(DAG)).toBe(10);
    expect(criticalModelCalls(plan([step('s1'), step('s2'), step('s3')]))).toBe(4);
    expect(criticalModelCalls(plan([step('s1'), step('s2', ['s1']), step('s3', ['s2'])]))).toBe(8);
  });

  it.each([
    [24, 2, 1, 1],
    [24, 2, 2, 2],
    [24, 2, 3, 3],
    [20, 2, 3, 2.5],
    [12, 2, 3, 3],
    [5, 2, 3, 3],
  ])('gives %i runs at %i per worker on %i workers an ideal ratio of %d', (runs, concurrency, workers, ideal) => {
    expect(idealRatio(runs, concurrency, workers)).toBe(ideal);
  });
});

describe('summariseBatch', () => {
  const rows = [
    row('run-01', 'run-started', 11, 1_000),
    row('run-02', 'run-started', 12, 1_100),
    ...['a', 'b'].map((stepId) => row('run-01', 'record', 11, 1_500, stepId)),
    row('run-01', 'run-finished', 11, 3_000),
    row('run-02', 'run-finished', 12, 5_000),
  ];

  it('times the batch from the first submit to the last run end', () => {
    expect(summariseBatch(rows, { workers: 2, runs: 2, startedAtMs: 1_000, cpuSeconds: 1.5 })).toEqual({
      workers: 2,
      runs: 2,
      seconds: 4,
      runsPerSecond: 0.5,
      workersUsed: 2,
      medianRunSeconds: 2.95,
      records: 2,
      cpuSeconds: 1.5,
    } satisfies BatchSummary);
  });

  it('throws unless every run ended', () => {
    expect(() => summariseBatch(rows.slice(0, -1), { workers: 2, runs: 2, startedAtMs: 1_000, cpuSeconds: 0 })).toThrow(
      'Expected 2 runs to have finished, the log has 1',
    );
  });
});

describe('summariseTakeover', () => {
  const kill = { runId: 'kill-1', killedPid: 11, killedAtMs: 10_000 };
  const rows = [
    row('kill-1', 'run-started', 11, 8_000),
    row('kill-1', 'record', 11, 8_200, 'a'),
    row('kill-1', 'step-finished', 11, 8_400, 'a'),
    row('kill-1', 'record', 11, 9_000, 'b'),
    row('kill-1', 'record', 11, 9_010, 'c'),
    row('kill-1', 'run-resumed', 12, 21_000),
    row('kill-1', 'record', 12, 21_300, 'b'),
    row('kill-1', 'record', 12, 21_310, 'c'),
    row('kill-1', 'record', 12, 21_320, 'd'),
    row('kill-1', 'record', 12, 21_900, 'e'),
    row('kill-1', 'run-finished', 12, 23_000),
    row('other', 'run-resumed', 12, 10_500),
  ];

  it('times the resume, the first record and the end from the kill, and names the steps in flight', () => {
    expect(summariseTakeover(rows, kill)).toEqual({
      toResumedMs: 11_000,
      toFirstRecordMs: 11_300,
      toFinishedMs: 13_000,
      doneBeforeKill: ['a'],
      reRun: ['b', 'c'],
      doneStepsReRun: 0,
    });
  });

  it('counts a done step recorded again after the kill', () => {
    expect(summariseTakeover([...rows, row('kill-1', 'record', 12, 21_400, 'a')], kill).doneStepsReRun).toBe(1);
  });

  it('throws when no other worker took the run over', () => {
    expect(() => summariseTakeover(rows.slice(0, 5), kill)).toThrow('The log has no run-resumed of run kill-1 by another worker after the kill');
  });
});

describe('formatFleetReport', () => {
  const batch = (workers: number, seconds: number): BatchSummary => ({
    workers,
    runs: 24,
    seconds,
    runsPerSecond: 24 / seconds,
    workersUsed: workers,
    medianRunSeconds: 2.5,
    records: 144,
    cpuSeconds: 4,
  });

  it('prints each batch with its ratio to one worker and its ideal, and each takeover', () => {
    const text = formatFleetReport({
      machine: '2 × CPU, node v22.0.0, linux-x64, load 1',
      date: '2026-12-02T00:00:00.000Z',
      options: FLEET_BENCH_DEFAULTS,
      settings: { heartbeatSeconds: 10, monitorIntervalSeconds: 2, pollingIntervalSeconds: 0.5, takeoverBoundMs: 13_500 },
      plan: DAG,
      cores: 2,
      batches: [batch(1, 30), batch(2, 15), batch(3, 12)],
      takeovers: [{ toResumedMs: 11_000, toFirstRecordMs: 11_300, toFinishedMs: 13_000, doneBeforeKill: ['a'], reRun: ['b', 'c'], doneStepsReRun: 0 }],
      seconds: 100,
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Fleet bench, 2026-12-02T00:00:00.000Z; 2 × CPU, node v22.0.0, linux-x64, load 1');
    expect(lines[1]).toBe(
      'workload: 24 runs of the 6-step DAG (14 model calls a run, 10 on its critical path), scripted models taking 200 ms a call; each worker drives 2 runs at once',
    );
    expect(lines.slice(6, 9)).toEqual([
      '1           30.0    0.80  1.00×  1.00×     1   2.50      144                 4.0 s (7%)',
      '2           15.0    1.60  2.00×  2.00×     2   2.50      144                4.0 s (13%)',
      '3           12.0    2.00  2.50×  3.00×     3   2.50      144                4.0 s (17%)',
    ]);
    expect(lines.at(-3)).toBe('1      11.0 s        11.3 s     13.0 s                     a    b, c                  0');
    expect(lines.at(-1)).toBe('100.0 s in all');
  });
});
