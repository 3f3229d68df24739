import { runPlan } from '../../src/engine/run-plan.ts';
import { fakeRunInput } from '../fake-roles.ts';
import { expectCompleted, timeCases } from '../measure.ts';
import { criticalPathMs, independentPlan, layeredPlan } from '../plans.ts';
import type { BenchRow } from '../report.ts';

/** How long each fake step takes. */
const STEP_MS = 50;
/** Timed runs of each case (each case costs 50–400 ms). */
const ROUNDS = 5;

interface Shape {
  /** Row label prefix. */
  readonly name: string;
  /** Steps per layer; one layer of 8 is the flat plan. */
  readonly widths: readonly number[];
  /** Concurrencies to compare; the first is the baseline. */
  readonly concurrencies: readonly number[];
}

const SHAPES: readonly Shape[] = [
  { name: '8 independent', widths: [8], concurrencies: [1, 4, 8] },
  { name: 'layers 2→4→2', widths: [2, 4, 2], concurrencies: [1, 2, 4, 8] },
];

/**
 * Wall time of `runPlan` on 50 ms fake steps at several concurrencies. The ratio is the speedup
 * over concurrency 1; the ideal is the critical-path bound (sequential time / ⌈layer / c⌉ rounds).
 */
export async function parallelSpeedup(): Promise<BenchRow[]> {
  const cases: Record<string, () => Promise<unknown>> = {};
  for (const shape of SHAPES) {
    const plan = shape.widths.length === 1 ? independentPlan(shape.widths[0]!) : layeredPlan(shape.widths);
    for (const concurrency of shape.concurrencies) {
      cases[`${shape.name}|${concurrency}`] = async () => expectCompleted(await runPlan(fakeRunInput(plan, { delayMs: STEP_MS, concurrency })));
    }
  }
  const timings = await timeCases(cases, { rounds: ROUNDS });
  return SHAPES.flatMap((shape) => {
    const baseline = timings[`${shape.name}|${shape.concurrencies[0]}`]!.median;
    const sequentialMs = criticalPathMs(shape.widths, 1, STEP_MS);
    return shape.concurrencies.map((concurrency) => {
      const timing = timings[`${shape.name}|${concurrency}`]!;
      return {
        scenario: 'parallel',
        label: `${shape.name} × ${STEP_MS} ms, concurrency ${concurrency}`,
        value: timing.median,
        unit: 'ms',
        ratio: baseline / timing.median,
        ideal: sequentialMs / criticalPathMs(shape.widths, concurrency, STEP_MS),
        runs: timing.runs,
      } satisfies BenchRow;
    });
  });
}
