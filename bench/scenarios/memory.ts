import { runPlan } from '../../src/engine/run-plan.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { fakeRunInput } from '../fake-roles.ts';
import { collectGarbage, expectCompleted } from '../measure.ts';
import { independentPlan } from '../plans.ts';
import type { BenchRow } from '../report.ts';

const RUNS = 200;
/**
 * Untimed runs first, until compiled code and V8's caches settle: after 100 the heap still grows
 * about 200 B/run for a while, after 500 it no longer does. A leak would keep growing.
 */
const WARMUP = 500;
/** Heap samples are taken every this many runs; the growth per run is the fitted slope. */
const SAMPLE_EVERY = 25;
const PLAN = independentPlan(10);

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

/** heapUsed after two full collections (the second catches what the first's finalisers freed). */
function settledHeap(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs RUNS sequential 10-step runs, sampling the settled heap; `keep` receives each result. */
async function heapGrowth(gc: () => void, keep: (result: PlanRunResult) => void): Promise<{ perRun: number; total: number }> {
  for (let run = 0; run < WARMUP; run++) expectCompleted(await runPlan(fakeRunInput(PLAN)));
  const points: Array<[number, number]> = [[0, settledHeap(gc)]];
  for (let run = 1; run <= RUNS; run++) {
    keep(expectCompleted(await runPlan(fakeRunInput(PLAN))));
    if (run % SAMPLE_EVERY === 0) points.push([run, settledHeap(gc)]);
  }
  return { perRun: slope(points), total: points.at(-1)![1] - points[0]![1] };
}

/**
 * Heap growth per run across RUNS sequential runs of a 10-step plan on fakes, next to a control
 * that keeps every result: the control shows what a leak of one result per run would look like,
 * so a flat first row means something.
 */
export async function memory(): Promise<BenchRow[]> {
  const gc = collectGarbage();
  const discarded = await heapGrowth(gc, () => undefined);
  const kept: PlanRunResult[] = [];
  const control = await heapGrowth(gc, (result) => kept.push(result));
  const row = (label: string, perRun: number): BenchRow => ({ scenario: 'memory', label, value: perRun, unit: 'B/run', ratio: null, ideal: null, runs: RUNS });
  return [
    row(`${RUNS} runs × 10 steps, heapUsed growth (fit)`, discarded.perRun),
    row(`  control: same, keeping every result (${kept.length})`, control.perRun),
  ];
}
