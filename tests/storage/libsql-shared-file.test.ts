import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { killFixtures, spawnFixture } from '../fixtures/spawn-fixture.ts';

const FIXTURE = 'tests/fixtures/many-runs.ts';
const PROCESSES = 4;
const RUNS_PER_PROCESS = 50;
// Runs at once in each process: enough for every process to keep the file's write lock contended.
const CONCURRENCY = 10;
const FINAL_OUTPUT = 'a: a out\ny: y out\nc: c out';

const dir = mkdtempSync(join(tmpdir(), 'plan-execute-shared-file-'));
afterAll(async () => {
  await killFixtures();
  rmSync(dir, { recursive: true, force: true });
});

interface FixtureOutput {
  readonly statuses: Record<string, number>;
  readonly errors: string[];
}

describe('LibSQLRunStore: several processes on one file', () => {
  it(`completes all ${PROCESSES * RUNS_PER_PROCESS} runs of ${PROCESSES} processes × ${RUNS_PER_PROCESS} started together, each stored with its result`, async () => {
    const url = `file:${join(dir, 'runs.db')}`;
    const prefixes = Array.from({ length: PROCESSES }, (_, index) => `p${index + 1}`);
    const processes = prefixes.map((prefix) => spawnFixture(FIXTURE, [url, prefix, String(RUNS_PER_PROCESS), String(CONCURRENCY)]));
    // Every process is loaded before any starts, so that their first statements (table creation included) collide.
    await Promise.all(processes.map((child) => child.waitFor('LOADED')));
    for (const child of processes) child.send('go');
    const outputs = await Promise.all(processes.map(async (child) => JSON.parse((await child.finished).at(-1)!) as FixtureOutput));

    // 0 failures out of 200: every run completed, and no run threw or ended with an error.
    expect(outputs.map((output) => output.errors)).toEqual(prefixes.map(() => []));
    expect(outputs.map((output) => output.statuses)).toEqual(prefixes.map(() => ({ completed: RUNS_PER_PROCESS })));

    const store = new LibSQLRunStore({ url });
    try {
      const runIds = prefixes.flatMap((prefix) => Array.from({ length: RUNS_PER_PROCESS }, (_, index) => `${prefix}-${index}`));
      const records = await Promise.all(runIds.map((runId) => store.load(runId)));
      const summary = records.map((record) => [record?.status, record?.result?.status, record?.result?.runId, record?.result?.finalOutput]);
      expect(summary).toEqual(runIds.map((runId) => ['completed', 'completed', runId, FINAL_OUTPUT]));
      expect(await store.listUnfinished()).toEqual([]);
    } finally {
      store.close();
    }
  }, 60_000);
});
