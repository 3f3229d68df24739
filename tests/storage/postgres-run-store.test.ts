import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { emptyRecord } from '../helpers/run-records.ts';

let cluster: PostgresCluster | undefined;
beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(() => cluster?.stop());

describe('PostgresRunStore', () => {
  it('saves, replaces and loads records that a second connection reads', async () => {
    const writer = new PostgresRunStore({ connectionString: cluster!.connectionString });
    await writer.save(emptyRecord('a', 'running'));
    await writer.save(emptyRecord('b', 'running'));
    await writer.save(emptyRecord('c', 'running'));
    await writer.save({ ...emptyRecord('a', 'completed'), replansUsed: 1 });
    await writer.save({ ...emptyRecord('c', 'running'), replansUsed: 2 });
    await writer.close();

    const reader = new PostgresRunStore({ connectionString: cluster!.connectionString });
    expect(await reader.load('a')).toEqual({ ...emptyRecord('a', 'completed'), replansUsed: 1 });
    expect(await reader.load('c')).toEqual({ ...emptyRecord('c', 'running'), replansUsed: 2 });
    expect(await reader.load('missing')).toBeNull();
    // Least recently checkpointed first: c was saved again after b.
    expect(await reader.listUnfinished()).toEqual(['b', 'c']);
    await reader.close();
  });

  it('reads back exactly what it stored, NUL characters, quotes and non-Latin text included', async () => {
    const store = new PostgresRunStore({ connectionString: cluster!.connectionString });
    const odd = { ...emptyRecord('odd', 'failed'), task: 'bytes "\u0000\u0001" \\ 😀 ünïcode\n\ttabs' };
    await store.save(odd);
    expect(await store.load('odd')).toEqual(odd);
    await store.close();
  });

  it('uses a pool it is given and leaves it open on close()', async () => {
    const pool = new Pool({ connectionString: cluster!.connectionString });
    try {
      const store = new PostgresRunStore({ pool });
      await store.save(emptyRecord('pooled', 'running'));
      await store.close();
      const { rows } = await pool.query<{ status: string; task: string }>(
        "SELECT status, record->>'task' AS task FROM plan_execute_runs WHERE run_id = 'pooled'",
      );
      expect(rows).toEqual([{ status: 'running', task: 'task pooled' }]);
    } finally {
      await pool.end();
    }
  });

  it('creates its table once when several stores start at the same moment', async () => {
    const pool = new Pool({ connectionString: cluster!.connectionString });
    const stores = Array.from({ length: 4 }, () => new PostgresRunStore({ connectionString: cluster!.connectionString }));
    try {
      await pool.query('DROP TABLE IF EXISTS plan_execute_runs');
      await Promise.all(stores.map((store, index) => store.save(emptyRecord(`concurrent-${index}`, 'running'))));
      expect((await stores[0]!.listUnfinished()).sort()).toEqual(['concurrent-0', 'concurrent-1', 'concurrent-2', 'concurrent-3']);
    } finally {
      await Promise.all([...stores.map((store) => store.close()), pool.end()]);
    }
  });

  it('rejects an empty connection string before connecting', () => {
    expect(() => new PostgresRunStore({ connectionString: '' })).toThrow('PostgresRunStore needs a connectionString or a pool; got an empty connectionString');
  });
});
