import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { InMemoryRunStore, type LeasedRunStore } from '../../src/engine/run-store.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { emptyRecord } from '../helpers/run-records.ts';
import { until } from '../helpers/until.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-leases-'));
let cluster: PostgresCluster | undefined;
beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: Array<[string, () => { store: LeasedRunStore; close: () => Promise<void> | void }]> = [
  ['InMemoryRunStore', () => ({ store: new InMemoryRunStore(), close: () => undefined })],
  [
    'LibSQLRunStore',
    () => {
      const store = new LibSQLRunStore({ url: `file:${join(dir, `${Math.random()}.db`)}` });
      return { store, close: () => store.close() };
    },
  ],
  [
    'PostgresRunStore',
    () => {
      const store = new PostgresRunStore({ connectionString: cluster!.connectionString });
      return { store, close: () => store.close() };
    },
  ],
];

/** The error a promise rejects with. */
async function refusalOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe.each(stores)('%s leases and fenced writes', (_name, open) => {
  it('creates once, refuses a second owner naming the holder and expiry, fences stale writes', async () => {
    const { store, close } = open();
    const runId = `lease-${Math.random()}`;
    try {
      const created = await store.create(emptyRecord(runId, 'running'), { owner: 'A', ttlMs: 60_000 });
      expect(created?.version).toBe(1);
      expect(created?.lease?.owner).toBe('A');
      expect(await store.create(emptyRecord(runId, 'running'), { owner: 'B', ttlMs: 60_000 })).toBeNull();

      const locked = await refusalOf(store.acquire(runId, { owner: 'B', ttlMs: 60_000 }));
      expect(isPlanExecuteError(locked, 'RUN_LOCKED') && [locked.owner, Date.parse(locked.expiresAt!) > Date.now()]).toEqual(['A', true]);
      expect(String((locked as Error).message)).toMatch(new RegExp(`^Run "${runId}" is held by "A" until \\d{4}-`));

      const version = await store.write({ ...emptyRecord(runId, 'running'), replansUsed: 1 }, { owner: 'A', version: 1 }, 60_000);
      expect(version).toBe(2);
      // A write naming an old version is refused and changes nothing.
      expect(isPlanExecuteError(await refusalOf(store.write(emptyRecord(runId, 'running'), { owner: 'A', version: 1 }, 60_000)), 'RUN_LOCKED')).toBe(true);
      expect((await store.load(runId))?.replansUsed).toBe(1);

      // B takes over only as the named replacement of A; A is fenced out from then on.
      const taken = await store.acquire(runId, { owner: 'B', ttlMs: 60_000, replacing: 'A' });
      expect([taken?.version, taken?.lease?.owner]).toEqual([3, 'B']);
      expect(isPlanExecuteError(await refusalOf(store.write(emptyRecord(runId, 'running'), { owner: 'A', version: 2 }, 60_000)), 'RUN_LOCKED')).toBe(true);
      expect(isPlanExecuteError(await refusalOf(store.renew(runId, { owner: 'A', version: 2 }, 60_000)), 'RUN_LOCKED')).toBe(true);
      expect((await store.renew(runId, { owner: 'B', version: 3 }, 60_000)).owner).toBe('B');

      // A finished record is never overwritten, and comes back as it is to any acquirer.
      expect(await store.write({ ...emptyRecord(runId, 'completed'), replansUsed: 2 }, { owner: 'B', version: 3 }, 60_000)).toBe(4);
      expect(isPlanExecuteError(await refusalOf(store.write(emptyRecord(runId, 'running'), { owner: 'B', version: 4 }, 60_000)), 'RUN_LOCKED')).toBe(true);
      const ended = await store.acquire(runId, { owner: 'C', ttlMs: 60_000 });
      expect([ended?.record.status, ended?.record.replansUsed, ended?.lease, ended?.version]).toEqual(['completed', 2, null, 4]);
      expect(await store.acquire('missing', { owner: 'C', ttlMs: 60_000 })).toBeNull();
    } finally {
      await close();
    }
  });

  it('lets another owner take an expired or released lease', async () => {
    const { store, close } = open();
    const runId = `expiry-${Math.random()}`;
    try {
      // Long enough for the first acquire to be refused even on a loaded machine.
      await store.create(emptyRecord(runId, 'running'), { owner: 'A', ttlMs: 1_000 });
      expect(isPlanExecuteError(await refusalOf(store.acquire(runId, { owner: 'B', ttlMs: 60_000 })), 'RUN_LOCKED')).toBe(true);
      // Refused (changing nothing) until A's lease runs out, then B's.
      const taken = await until('the lease of A to run out', () =>
        store.acquire(runId, { owner: 'B', ttlMs: 60_000 }).catch((error: unknown) => {
          if (isPlanExecuteError(error, 'RUN_LOCKED')) return undefined;
          throw error;
        }),
      );
      expect([taken?.version, taken?.lease?.owner]).toEqual([2, 'B']);
      await store.release(runId, { owner: 'A', version: 1 }); // not A's any more: changes nothing
      expect(isPlanExecuteError(await refusalOf(store.acquire(runId, { owner: 'C', ttlMs: 60_000 })), 'RUN_LOCKED')).toBe(true);
      await store.release(runId, { owner: 'B', version: 2 });
      expect((await store.acquire(runId, { owner: 'C', ttlMs: 60_000 }))?.lease?.owner).toBe('C');
    } finally {
      await close();
    }
  });
});
