import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PlanRunResult } from '../src/engine/result.ts';

/** Summary of repeated timings of one case, in milliseconds. */
export interface Timing {
  /** Median of the timed runs. */
  readonly median: number;
  /** Fastest run. */
  readonly min: number;
  /** Slowest run. */
  readonly max: number;
  /** Timed runs (warm-up excluded). */
  readonly runs: number;
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('Expected at least one value to take the median of');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Summarises timings in ms. */
export function summarise(samples: readonly number[]): Timing {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length };
}

/** Throws unless the run completed: a bench of failing runs would measure the wrong thing. */
export function expectCompleted(result: PlanRunResult): PlanRunResult {
  if (result.status !== 'completed') {
    throw new Error(`Expected the bench run to complete, got ${result.status}: ${result.error?.message ?? 'no error'}`);
  }
  return result;
}

/** Options of {@link timeCases}. */
export interface TimeCasesOptions {
  /** Timed runs of each case. */
  readonly rounds: number;
  /** Untimed runs of each case first, to warm the JIT and caches. @default 1 */
  readonly warmup?: number;
}

/**
 * Times every case `rounds` times and summarises each. The cases take turns round by round, so
 * load from other processes on the machine falls on all of them alike and their ratios hold.
 */
export async function timeCases<Key extends string>(
  cases: Readonly<Record<Key, () => Promise<unknown>>>,
  { rounds, warmup = 1 }: TimeCasesOptions,
): Promise<Record<Key, Timing>> {
  const keys = Object.keys(cases) as Key[];
  const samples = new Map<Key, number[]>(keys.map((key) => [key, []]));
  for (let round = -warmup; round < rounds; round++) {
    for (const key of keys) {
      const started = performance.now();
      await cases[key]();
      if (round >= 0) samples.get(key)!.push(performance.now() - started);
    }
  }
  return Object.fromEntries(keys.map((key) => [key, summarise(samples.get(key)!)])) as Record<Key, Timing>;
}

/**
 * `global.gc`, exposed on the fly when node was started without `--expose-gc` (the npm script
 * passes the flag; this keeps `npx tsx bench/run.ts` working too).
 */
export function collectGarbage(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
