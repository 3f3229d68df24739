import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore, type RunStore } from '../../src/engine/run-store.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { fakeRunInput } from '../fake-roles.ts';
import { expectCompleted, timeCases, type Timing } from '../measure.ts';
import { independentPlan } from '../plans.ts';
import type { BenchRow } from '../report.ts';

/**
 * Timed runs per plan size and store. LibSQL fsyncs every checkpoint (a 100-step run takes
 * seconds on a busy disk), so it gets fewer runs; the cheap cases get many for a steady median.
 */
const SIZES = [
  { steps: 10, inMemoryRounds: 100, libsqlRounds: 20 },
  { steps: 100, inMemoryRounds: 30, libsqlRounds: 5 },
] as const;

const row = (steps: number, store: string, timing: Timing, baseline: Timing): BenchRow => ({
  scenario: 'overhead',
  label: `${steps} steps, ${store}`,
  value: (timing.median * 1000) / steps,
  unit: 'µs/step',
  ratio: timing.median / baseline.median,
  ideal: null,
  runs: timing.runs,
});

/** Medians of runs of `steps` independent steps without a store and with `store`, taking turns. */
async function compare(steps: number, store: RunStore, rounds: number): Promise<{ bare: Timing; stored: Timing }> {
  const plan = independentPlan(steps);
  return timeCases(
    {
      bare: async () => expectCompleted(await runPlan(fakeRunInput(plan))),
      stored: async () => expectCompleted(await runPlan(fakeRunInput(plan, { store }))),
    },
    { rounds, warmup: 2 },
  );
}

/**
 * µs per step of `runPlan` on zero-latency fakes (the engine's own cost: validation, scheduling,
 * tracking, events, synthesis), then with checkpoints to each store. Each store's ratio is to the
 * no-store runs interleaved with it, so load from other processes cancels out.
 */
export async function engineOverhead(): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'plan-execute-bench-'));
  const libsql = new LibSQLRunStore({ url: `file:${join(directory, 'runs.db')}` });
  try {
    const rows: BenchRow[] = [];
    for (const { steps, inMemoryRounds, libsqlRounds } of SIZES) {
      const inMemory = await compare(steps, new InMemoryRunStore(), inMemoryRounds);
      const onDisk = await compare(steps, libsql, libsqlRounds);
      rows.push(
        row(steps, 'no store', inMemory.bare, inMemory.bare),
        row(steps, 'InMemoryRunStore', inMemory.stored, inMemory.bare),
        row(steps, 'LibSQLRunStore (temp file)', onDisk.stored, onDisk.bare),
      );
    }
    return rows;
  } finally {
    libsql.close();
    await rm(directory, { recursive: true, force: true });
  }
}
