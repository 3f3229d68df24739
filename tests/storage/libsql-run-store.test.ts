import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/engine/run-store.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-libsql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zero = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
const record = (runId: string, status: RunRecord['status']): RunRecord => ({
  version: 1,
  runId,
  task: `task ${runId}`,
  status,
  startedAt: '2026-11-24T00:00:00.000Z',
  snapshot: null,
  stepResults: [],
  usage: { ...zero, byRole: { planner: zero, executor: zero, synthesizer: zero } },
  replansUsed: 0,
  pendingFailures: [],
  result: null,
});

describe('LibSQLRunStore', () => {
  it('saves, replaces and loads records in a file that a second connection reads', async () => {
    const url = `file:${join(dir, 'runs.db')}`;
    const writer = new LibSQLRunStore({ url });
    await writer.save(record('a', 'running'));
    await writer.save(record('b', 'running'));
    await writer.save({ ...record('a', 'completed'), replansUsed: 1 });
    writer.close();

    const reader = new LibSQLRunStore({ url });
    expect(await reader.load('a')).toEqual({ ...record('a', 'completed'), replansUsed: 1 });
    expect(await reader.load('missing')).toBeNull();
    expect(await reader.listUnfinished()).toEqual(['b']);
    reader.close();
  });
});
