import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'plan-execute-libsql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LibSQLRunStore', () => {
  it('saves, replaces and loads records in a file that a second connection reads', async () => {
    const url = `file:${join(dir, 'runs.db')}`;
    const writer = new LibSQLRunStore({ url });
    await writer.save(emptyRecord('a', 'running'));
    await writer.save(emptyRecord('b', 'running'));
    await writer.save({ ...emptyRecord('a', 'completed'), replansUsed: 1 });
    writer.close();

    const reader = new LibSQLRunStore({ url });
    expect(await reader.load('a')).toEqual({ ...emptyRecord('a', 'completed'), replansUsed: 1 });
    expect(await reader.load('missing')).toBeNull();
    expect(await reader.listUnfinished()).toEqual(['b']);
    reader.close();
  });

  it('keeps every write after one refused with SQLITE_BUSY (a failed statement never poisons a connection)', async () => {
    const url = `file:${join(dir, 'busy.db')}`;
    const store = new LibSQLRunStore({ url, busyTimeoutMs: 20 });
    const created = await store.create(emptyRecord('r', 'running'), { owner: 'me', ttlMs: 60_000 });
    expect(created?.version).toBe(1);
    // Another connection holds the write lock: the fenced write fails busy after its retries.
    const blocker = createClient({ url });
    const transaction = await blocker.transaction('write');
    await expect(store.write({ ...emptyRecord('r', 'running'), replansUsed: 1 }, { owner: 'me', version: 1 }, 60_000)).rejects.toThrow(/SQLITE_BUSY/);
    await transaction.rollback();
    blocker.close();

    expect(await store.write({ ...emptyRecord('r', 'running'), replansUsed: 2 }, { owner: 'me', version: 1 }, 60_000)).toBe(2);
    expect(await store.write({ ...emptyRecord('r', 'completed'), replansUsed: 3 }, { owner: 'me', version: 2 }, 60_000)).toBe(3);
    store.close();
    // Durable: another store reads both writes once the writer is closed (uncommitted writes would be rolled back).
    const reader = new LibSQLRunStore({ url });
    expect(await reader.load('r')).toEqual({ ...emptyRecord('r', 'completed'), replansUsed: 3 });
    expect(await reader.listUnfinished()).toEqual([]);
    reader.close();
  });
});
