import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import type { RunStore } from '../../src/engine/run-store.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { WHOLE_RUN_CALLS } from '../fixtures/plain-roles.ts';
import { killFixtures, readProcessLog, spawnFixture, type FixtureProcess } from '../fixtures/spawn-fixture.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';

const FIXTURE = 'tests/fixtures/plain-run.ts';
const dir = mkdtempSync(join(tmpdir(), 'plan-execute-two-resumers-'));
let cluster: PostgresCluster | undefined;

beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(async () => {
  await killFixtures();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Where the fixtures store runs: the `database` argument they take, their environment, and a store for the test to read. */
interface Backend {
  readonly database: string;
  readonly env: Record<string, string>;
  open(): { readonly store: RunStore & { listUnfinished(): Promise<string[]> }; readonly close: () => Promise<void> };
}

const BACKENDS: Record<string, () => Backend> = {
  LibSQL: () => {
    const url = `file:${join(dir, 'runs.db')}`;
    return { database: url, env: {}, open: () => wrap(new LibSQLRunStore({ url })) };
  },
  PostgreSQL: () => ({
    database: 'postgres',
    env: { PE_DATABASE_URL: cluster!.connectionString },
    open: () => wrap(new PostgresRunStore({ connectionString: cluster!.connectionString })),
  }),
};
const wrap = (store: LibSQLRunStore | PostgresRunStore) => ({ store, close: async () => void (await store.close()) });

type Outcome = { result: PlanRunResult; error?: undefined } | { result?: undefined; error: { code: string; message: string; owner: string | null } };
const outcomeOf = async (child: FixtureProcess) => JSON.parse((await child.finished).at(-1)!) as Outcome;
const ownedBy = (pid: number) => new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${pid}:`);

/** Stores `runId` mid-way: a first process is killed once step a is done and stored (x not started). */
async function storeMidway(backend: Backend, logFile: string, runId: string): Promise<number> {
  const first = spawnFixture(FIXTURE, ['start', backend.database, logFile, runId, 'between-steps'], backend.env);
  await first.waitFor('HANG');
  await first.kill();
  return first.pid;
}

/**
 * Starts two resumers of `runId` and lets them race: both load, then both are told to go at once.
 * The one that took the run blocks in step x (WORKING) until the test releases it.
 */
async function race(backend: Backend, logFile: string, runId: string, leaseWaitMs: number) {
  const env = { ...backend.env, PE_LEASE_WAIT_MS: String(leaseWaitMs) };
  const racers = [0, 1].map(() => spawnFixture(FIXTURE, ['race', backend.database, logFile, runId], env));
  await Promise.all(racers.map((racer) => racer.waitFor('LOADED')));
  for (const racer of racers) racer.send('go');
  const winner = await Promise.any(racers.map(async (racer) => (await racer.waitFor('WORKING'), racer)));
  return { winner, loser: racers.find((racer) => racer !== winner)! };
}

describe.each(Object.keys(BACKENDS))('two resumers of one run in separate processes (%s)', (name) => {
  let backend: Backend;
  beforeAll(() => void (backend = BACKENDS[name]!()));

  /** Checks the log and the store once the race is over: each remaining call made once, by the winner; the completed record stored. */
  async function expectOneExecution(
    logFile: string,
    runId: string,
    { first, winner, loser }: { first: number; winner: number; loser: number },
    result: PlanRunResult,
  ) {
    const entries = readProcessLog(logFile);
    const by = (pid: number) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    expect(by(first)).toEqual(['planner', 'approve', 'executor a', 'hang between-steps']);
    // 0 duplicate executions: every remaining step once, all in the winner; the loser called nothing.
    expect(by(winner)).toEqual(WHOLE_RUN_CALLS.slice(3));
    expect(by(loser)).toEqual([]);
    const { store, close } = backend.open();
    try {
      expect(await store.load(runId)).toMatchObject({ status: 'completed', result });
      expect(await store.listUnfinished()).not.toContain(runId);
    } finally {
      await close();
    }
  }

  it('runs the rest once: one resumer completes, the other is refused at once with RUN_LOCKED naming the winner (leaseWaitMs 0)', async () => {
    const runId = `refused-${name}`;
    const logFile = join(dir, `${runId}.log`);
    const first = await storeMidway(backend, logFile, runId);
    const { winner, loser } = await race(backend, logFile, runId, 0);
    // The winner is still inside step x: the loser was refused while the run was held, not after it ended.
    const refused = await outcomeOf(loser);
    expect(refused.error).toEqual({
      code: 'RUN_LOCKED',
      message: expect.stringContaining(`Run "${runId}" is held by`),
      owner: expect.stringMatching(ownedBy(winner.pid)),
    });
    winner.send('release');
    const won = await outcomeOf(winner);
    expect(won.result?.status).toBe('completed');
    expect(won.result?.plan.map(({ id, status, attempts }) => [id, status, attempts])).toEqual([
      ['a', 'done', 1],
      ['y', 'done', 1],
      ['c', 'done', 1],
    ]);
    await expectOneExecution(logFile, runId, { first, winner: winner.pid, loser: loser.pid }, won.result!);

    // A third resume, after the end, returns the stored result as it is and runs nothing.
    const third = spawnFixture(FIXTURE, ['resume', backend.database, logFile, runId], backend.env);
    expect(await outcomeOf(third)).toEqual({ result: won.result });
    expect(readProcessLog(logFile).filter((entry) => entry.pid === third.pid)).toEqual([]);
  }, 60_000);

  it('runs the rest once when the other resumer waits (leaseWaitMs 60 s): it gets the stored result and runs nothing', async () => {
    const runId = `waiting-${name}`;
    const logFile = join(dir, `${runId}.log`);
    const first = await storeMidway(backend, logFile, runId);
    const { winner, loser } = await race(backend, logFile, runId, 60_000);
    // The loser asked while the winner held the run, and keeps waiting.
    await loser.waitFor(`REFUSED ${hostname()}:${winner.pid}:`);
    winner.send('release');
    const [won, waited] = await Promise.all([outcomeOf(winner), outcomeOf(loser)]);
    expect(won.result?.status).toBe('completed');
    expect(waited).toEqual({ result: won.result });
    await expectOneExecution(logFile, runId, { first, winner: winner.pid, loser: loser.pid }, won.result!);
  }, 60_000);

  it('never lets a stalled owner overwrite the record of the resumer that took its expired lease', async () => {
    const runId = `stalled-${name}`;
    const logFile = join(dir, `${runId}.log`);
    const first = await storeMidway(backend, logFile, runId);
    // The owner runs x on a short lease and is frozen there, so its lease runs out while it is alive.
    const stalled = spawnFixture(FIXTURE, ['race', backend.database, logFile, runId], { ...backend.env, PE_LEASE_MS: '300' });
    await stalled.waitFor('LOADED');
    stalled.send('go');
    await stalled.waitFor('WORKING');
    process.kill(stalled.pid, 'SIGSTOP');
    // Alive on this host, so not taken over as dead: the resumer takes the run only once the lease expired (waiting if need be).
    const taker = spawnFixture(FIXTURE, ['resume', backend.database, logFile, runId], { ...backend.env, PE_LEASE_WAIT_MS: '30000' });
    const taken = await outcomeOf(taker);
    expect(taken.result?.status).toBe('completed');
    // x was in flight in the stalled owner: at least once, it runs again in the taker, counted as a crash.
    expect(taken.result?.plan.map(({ id, status, attempts, crashes }) => [id, status, attempts, crashes])).toEqual([
      ['a', 'done', 1, undefined],
      ['y', 'done', 1, undefined],
      ['c', 'done', 1, undefined],
    ]);

    process.kill(stalled.pid, 'SIGCONT');
    stalled.send('release');
    const stale = await outcomeOf(stalled);
    expect(stale.result?.status).toBe('failed');
    expect(stale.result?.error?.code).toBe('RUN_LOCKED');
    const entries = readProcessLog(logFile);
    const by = (pid: number) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    expect(by(first)).toEqual(['planner', 'approve', 'executor a', 'hang between-steps']);
    expect(by(stalled.pid)).toEqual(['executor x']);
    expect(by(taker.pid)).toEqual(WHOLE_RUN_CALLS.slice(3));
    const { store, close } = backend.open();
    try {
      // The finished record is the taker's, untouched by the stalled owner's late checkpoints.
      expect(await store.load(runId)).toMatchObject({ status: 'completed', result: taken.result });
    } finally {
      await close();
    }
  }, 60_000);
});
