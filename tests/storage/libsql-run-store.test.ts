import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-libsql-'));
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
});
