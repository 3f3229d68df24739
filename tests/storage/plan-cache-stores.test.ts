import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanCache } from '../../src/engine/plan-cache.ts';
import { LibSQLPlanCache } from '../../src/storage/libsql-plan-cache.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { PostgresPlanCache } from '../../src/storage/postgres-plan-cache.ts';
import { directAddStep } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { emptyRecord } from '../helpers/run-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'plan-execute-plan-cache-'));
let cluster: PostgresCluster | undefined;
beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const direct = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 'ünï "😀"' })]);
const other = plan([step('x')]);

/** A cache on a fresh database, with a clock the test moves, and what closes it. */
interface Subject {
  readonly cache: PlanCache & { size(): Promise<number> };
  readonly clock: { now: number };
  /** A second cache on the same database, as another process opens it. */
  readonly reopen: () => PlanCache;
  readonly close: () => Promise<void>;
}

let databases = 0;
const subjects: Record<string, (maxEntries?: number) => Promise<Subject>> = {
  async LibSQL(maxEntries = 10) {
    const url = `file:${join(dir, `cache-${++databases}.db`)}`;
    const clock = { now: 1_000 };
    const cache = new LibSQLPlanCache({ url, maxEntries, now: () => clock.now });
    const others: LibSQLPlanCache[] = [];
    return {
      cache,
      clock,
      reopen: () => others[others.push(new LibSQLPlanCache({ url, now: () => clock.now })) - 1]!,
      close: async () => {
        for (const opened of [cache, ...others]) opened.close();
      },
    };
  },
  async PostgreSQL(maxEntries = 10) {
    const clock = { now: 1_000 };
    // A database of its own per test, as the LibSQL subject gets a file of its own.
    const admin = new Pool({ connectionString: cluster!.connectionString });
    await admin.query(`CREATE DATABASE plan_cache_${++databases}`);
    await admin.end();
    const connectionString = cluster!.connectionString.replace(/\/postgres$/, `/plan_cache_${databases}`);
    const cache = new PostgresPlanCache({ connectionString, maxEntries, now: () => clock.now });
    const others: PostgresPlanCache[] = [];
    return {
      cache,
      clock,
      reopen: () => others[others.push(new PostgresPlanCache({ connectionString, now: () => clock.now })) - 1]!,
      close: async () => void (await Promise.all([cache, ...others].map((opened) => opened.close()))),
    };
  },
};

describe.each(Object.keys(subjects))('%s plan cache', (name) => {
  const open = subjects[name]!;

  it('gives back exactly the plan stored, to another connection too, until its TTL runs out', async () => {
    const key = `${name}-ttl`;
    const { cache, clock, reopen, close } = await open();
    await cache.set(key, direct, 500);

    expect(await reopen().get(key)).toEqual(direct);
    clock.now = 1_499;
    expect(await cache.get(key)).toEqual(direct);
    clock.now = 1_500;
    expect([await cache.get(key), await cache.get(`${name}-missing`)]).toEqual([null, null]);
    await close();
  });

  it('replaces a plan stored again under its key, and deletes expired plans as others are stored', async () => {
    const { cache, clock, close } = await open();
    await cache.set(`${name}-a`, direct, 100);
    await cache.set(`${name}-a`, other, 100);
    clock.now += 100;
    await cache.set(`${name}-b`, direct, 100);

    expect([await cache.get(`${name}-a`), await cache.get(`${name}-b`), await cache.size()]).toEqual([null, direct, 1]);
    await close();
  });

  it('keeps at most maxEntries plans, deleting the oldest stored', async () => {
    const { cache, clock, close } = await open(2);
    for (const suffix of ['1', '2', '3']) {
      clock.now += 1;
      await cache.set(`${name}-bound-${suffix}`, other, 60_000);
    }

    expect([await cache.get(`${name}-bound-1`), await cache.get(`${name}-bound-2`), await cache.get(`${name}-bound-3`), await cache.size()]).toEqual([
      null,
      other,
      other,
      2,
    ]);
    await close();
  });
});

describe('LibSQLPlanCache beside a LibSQLRunStore', () => {
  it("shares the run store's file, each in its own table", async () => {
    const url = `file:${join(dir, 'shared.db')}`;
    const store = new LibSQLRunStore({ url });
    const cache = new LibSQLPlanCache({ url });
    await store.save(emptyRecord('r1', 'running'));
    await cache.set('k', direct, 60_000);

    expect([await store.load('r1'), await cache.get('k')]).toEqual([emptyRecord('r1', 'running'), direct]);
    store.close();
    cache.close();
  });
});
