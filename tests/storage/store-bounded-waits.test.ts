/**
 * Every wait on PostgreSQL has a bound: a server that accepts and never answers, one that stops
 * answering after the login, and a row lock another session holds end a store call (and a run)
 * instead of holding it. Loopback servers and one throwaway cluster, shared by the file.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StepReply } from '../../src/engine/ports.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { openPool } from '../../src/storage/postgres-pool.ts';
import { PostgresPlanCache } from '../../src/storage/postgres-plan-cache.ts';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { EXECUTOR_USAGE } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { harness } from '../helpers/run-harness.ts';
import { until } from '../helpers/until.ts';

/** A PostgreSQL stand-in on 127.0.0.1: `silent` accepts and never answers; `after-login` answers the startup (trust login, ready) and then nothing. */
async function fakeServer(kind: 'silent' | 'after-login'): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // AuthenticationOk ('R', length 8, 0), then ReadyForQuery ('Z', length 5, idle).
    if (kind === 'after-login') socket.once('data', () => socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://u:p@127.0.0.1:${port}/db`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const oneStep = plan([step('s1')]);
const stepDone: StepReply = { value: { success: true, output: 's1 out', error: null }, usage: EXECUTOR_USAGE, toolCalls: 1 };

let cluster: PostgresCluster | undefined;
beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(() => cluster?.stop());
afterEach(() => vi.restoreAllMocks());

describe('a PostgreSQL server that accepts and never answers', () => {
  it('rejects the run with STORE_FAILED after 4 tries, each ended by the store’s connect limit', async () => {
    const server = await fakeServer('silent');
    const store = new PostgresRunStore({ connectionString: server.url, connectionTimeoutMs: 200 });
    const run = harness({ plans: [oneStep], settings: { stepTimeoutMs: 1_000 } });
    try {
      const error = await runPlan({ ...run.input, store }).catch((caught: unknown) => caught);

      expect(error).toMatchObject({
        code: 'STORE_FAILED',
        attempts: 4,
        message: 'Could not checkpoint run "run-1" after 4 attempts: Connection terminated due to connection timeout',
      });
      expect(run.types()).toEqual([]);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('rejects the run with STORE_FAILED after 4 tries, each ended by the run’s lease length when the store’s limits are longer', async () => {
    const server = await fakeServer('silent');
    // The default connect limit (10 s) is longer than this run's lease: the engine gives up first.
    const store = new PostgresRunStore({ connectionString: server.url });
    const run = harness({ plans: [oneStep], settings: { leaseMs: 200 } });
    try {
      const error = await runPlan({ ...run.input, store }).catch((caught: unknown) => caught);

      expect(error).toMatchObject({
        code: 'STORE_FAILED',
        attempts: 4,
        message: `Could not checkpoint run "run-1" after 4 attempts: The run store's create gave no answer within 200 ms (leaseMs)`,
      });
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('fails a plan cache lookup at the connect limit', async () => {
    const server = await fakeServer('silent');
    const cache = new PostgresPlanCache({ connectionString: server.url, connectionTimeoutMs: 100 });
    try {
      await expect(cache.get('key')).rejects.toThrow('Connection terminated due to connection timeout');
    } finally {
      await server.close();
      await cache.close();
    }
  });
});

describe('a PostgreSQL server that stops answering after the login', () => {
  it('fails the call a second after the statement limit (the client-side query_timeout)', async () => {
    const server = await fakeServer('after-login');
    const store = new PostgresRunStore({ connectionString: server.url, statementTimeoutMs: 100 });
    try {
      await expect(store.load('run-1')).rejects.toThrow('Query read timeout');
    } finally {
      await server.close();
      await store.close();
    }
  });
});

/** `BEGIN; SELECT … FOR UPDATE` on the run's row from a session of its own, as an open transaction elsewhere holds it. */
async function lockRow(client: pg.Client, runId: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('SELECT run_id FROM plan_execute_runs WHERE run_id = $1 FOR UPDATE', [runId]);
}

/** A one-step run on `store` whose step, while it runs (its tool call), has `locker` lock the run's row. */
function lockedRun(store: PostgresRunStore, locker: pg.Client, runId: string, options: { leaseMs?: number; abortSignal?: AbortSignal } = {}) {
  const run = harness({
    plans: [oneStep],
    script: { s1: [async () => (await lockRow(locker, runId), stepDone)] },
    settings: { stepTimeoutMs: 2_000, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) },
    abortSignal: options.abortSignal,
  });
  return { ...run, run: () => runPlan({ ...run.input, runId, store }) };
}

describe('a run whose row another session holds locked', () => {
  it('ends failed with STORE_FAILED naming the lock timeout, instead of waiting for the lock', async () => {
    const store = new PostgresRunStore({ connectionString: cluster!.connectionString, lockTimeoutMs: 50 });
    const locker = new pg.Client({ connectionString: cluster!.connectionString });
    await locker.connect();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const run = lockedRun(store, locker, 'locked-1');

      const result = await run.run();

      expect([result.status, result.error]).toEqual([
        'failed',
        { code: 'STORE_FAILED', message: 'Could not checkpoint run "locked-1" after 4 attempts: canceling statement due to lock timeout' },
      ]);
      expect(run.types()).toEqual(['run-started', 'plan-created', 'step-started', 'run-finished']);
      expect(logged).toHaveBeenCalledWith('[mastra-plan-execute] could not store the result:', expect.objectContaining({ code: 'STORE_FAILED' }));
      await locker.query('ROLLBACK');
      // What the store kept: the checkpoint before the lock (the step started, not done).
      expect((await store.load('locked-1'))?.snapshot?.steps.map((tracked) => tracked.status)).toEqual(['in_progress']);
    } finally {
      await locker.end();
      await store.close();
    }
  });

  it('ends cancelled soon after its abort signal fires while the checkpoint waits for the lock', async () => {
    // The store's lock limit (10 s by default) is longer than this run's lease: the engine gives up first.
    const store = new PostgresRunStore({ connectionString: cluster!.connectionString });
    const locker = new pg.Client({ connectionString: cluster!.connectionString });
    const watcher = new pg.Client({ connectionString: cluster!.connectionString });
    await Promise.all([locker.connect(), watcher.connect()]);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const controller = new AbortController();
    try {
      // Four tries of a second each (and the pauses between): time enough to see the wait and cancel before the run gives up.
      const run = lockedRun(store, locker, 'locked-2', { leaseMs: 1_000, abortSignal: controller.signal });
      const result = run.run();
      await until('the checkpoint to wait for the row lock', async () => {
        const { rows } = await watcher.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE plan_execute_runs SET status%'",
        );
        return rows[0]!.waiting > 0 ? true : undefined;
      });
      controller.abort(new Error('stop'));

      expect(await result).toMatchObject({ status: 'cancelled', error: { code: 'RUN_CANCELLED' } });
      expect(run.types()).toEqual(['run-started', 'plan-created', 'step-started', 'run-finished']);
    } finally {
      await locker.query('ROLLBACK');
      await Promise.all([locker.end(), watcher.end()]);
      await store.close();
    }
  });
});

describe('the time limits of a pool a store opens', () => {
  it('sends the statement and lock limits with every connection, the defaults where none is given', async () => {
    const pool = openPool(cluster!.connectionString, { statementTimeoutMs: 1_234 });
    try {
      const { rows } = await pool.query<{ statement: string; lock: string }>(
        "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock",
      );
      expect(rows).toEqual([{ statement: '1234ms', lock: '10s' }]);
    } finally {
      await pool.end();
    }
  });

  it.each([
    [{ connectionTimeoutMs: 0 }, 'Expected `connectionTimeoutMs` to be an integer from 1 to 2147483647, got 0 (number)'],
    [{ statementTimeoutMs: 1.5 }, 'Expected `statementTimeoutMs` to be an integer from 1 to 2147482647, got 1.5 (number)'],
    [{ lockTimeoutMs: -1 }, 'Expected `lockTimeoutMs` to be an integer from 1 to 2147483647, got -1 (number)'],
  ])('refuses %j before connecting', (timeouts, message) => {
    expect(() => new PostgresRunStore({ connectionString: 'postgres://u:p@127.0.0.1:1/db', ...timeouts })).toThrow(message);
    expect(() => new PostgresPlanCache({ connectionString: 'postgres://u:p@127.0.0.1:1/db', ...timeouts })).toThrow(message);
  });
});
