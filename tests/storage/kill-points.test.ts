import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { resolveSettings } from '../../src/engine/settings.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { PLAIN_TASK, plainRoles, WHOLE_RUN_CALLS } from '../fixtures/plain-roles.ts';
import { killFixtures, readProcessLog, spawnFixture } from '../fixtures/spawn-fixture.ts';

const FIXTURE = 'tests/fixtures/plain-run.ts';
const dir = mkdtempSync(join(tmpdir(), 'plan-execute-kill-points-'));
const url = `file:${join(dir, 'runs.db')}`;

/**
 * Where the first process is killed: it makes WHOLE_RUN_CALLS[0, madeBefore) and blocks in the
 * next call (or after the checkpoint that follows them); the resumer makes WHOLE_RUN_CALLS from
 * `resumesAt` on. A step killed mid-run is tests/storage/crash-resume.test.ts.
 */
const KILL_POINTS = [
  { at: 'planner', madeBefore: 1, resumesAt: 0, why: 'during the planner call, before any plan is stored: planning starts again' },
  { at: 'approve', madeBefore: 2, resumesAt: 0, why: 'inside approvePlan: the plan is stored only once approved, so planning starts again' },
  { at: 'after-plan', madeBefore: 2, resumesAt: 2, why: 'after the plan checkpoint, before the first step' },
  { at: 'between-steps', madeBefore: 3, resumesAt: 3, why: 'between steps: a done and stored, x not started' },
  { at: 'replanner', madeBefore: 5, resumesAt: 4, why: 'during the replanner call: x stays failed, only the replanner is asked again' },
  { at: 'synthesizer', madeBefore: 8, resumesAt: 7, why: 'during synthesis: only the synthesizer is asked again' },
] as const;

/** A result without what differs between any two runs: the run id and times. */
const comparable = ({ runId: _runId, durationMs: _durationMs, steps, ...rest }: PlanRunResult) => ({
  ...rest,
  steps: steps.map(({ startedAt: _startedAt, durationMs: _stepDuration, ...step }) => step),
});

let uninterrupted: PlanRunResult;
beforeAll(async () => {
  const store = new LibSQLRunStore({ url: `file:${join(dir, 'whole.db')}` });
  const { settings, ...roles } = plainRoles({ log: () => {} });
  uninterrupted = await runPlan({ ...roles, task: PLAIN_TASK, tools: [], store, runId: 'whole', settings: resolveSettings(settings) });
  store.close();
});

afterAll(async () => {
  await killFixtures();
  rmSync(dir, { recursive: true, force: true });
});

/** Owner ids (`host:pid:random`) of process `pid` on this host. */
const ownedBy = (pid: number) => new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${pid}:`);

/** The stored row of `runId` as the killed process left it: its status, whether a plan is in it, and who holds its lease. */
async function storedRow(runId: string) {
  const client = createClient({ url });
  try {
    const { rows } = await client.execute({ sql: 'SELECT status, record, lease_owner FROM plan_execute_runs WHERE run_id = ?', args: [runId] });
    const row = rows[0];
    return row && { status: row.status, hasPlan: JSON.parse(String(row.record)).snapshot !== null, leaseOwner: String(row.lease_owner) };
  } finally {
    client.close();
  }
}

describe('SIGKILL at every boundary of a LibSQL-backed run, resumed by a new process', () => {
  it('has an uninterrupted run to compare with', () => {
    expect(uninterrupted.status).toBe('completed');
    expect(uninterrupted.finalOutput).toBe('a: a out\ny: y out\nc: c out');
    expect(uninterrupted.revisions.map(({ kind, failedStepId }) => [kind, failedStepId])).toEqual([['revise', 'x']]);
  });

  it.each(KILL_POINTS)(
    'loses nothing when killed at $at ($why)',
    async ({ at, madeBefore, resumesAt }) => {
      const runId = `killed-at-${at}`;
      const logFile = join(dir, `${runId}.log`);
      const first = spawnFixture(FIXTURE, ['start', url, logFile, runId, at]);
      await first.waitFor('HANG');
      expect(await first.kill()).toBe('SIGKILL');

      // The run is stored and still leased to the dead process: its lease (30 s) has not run out.
      const planned = !['planner', 'approve'].includes(at);
      expect(await storedRow(runId)).toEqual({ status: 'running', hasPlan: planned, leaseOwner: expect.stringMatching(ownedBy(first.pid)) });

      // leaseWaitMs is 0 in the resumer: it would end RUN_LOCKED at once, not wait, if it did not see that the holder died.
      const resumer = spawnFixture(FIXTURE, ['resume', url, logFile, runId]);
      const outcome = JSON.parse((await resumer.finished).at(-1)!) as { result?: PlanRunResult; error?: unknown };
      expect(outcome.error).toBeUndefined();
      expect(outcome.result?.status).toBe('completed');
      expect(comparable(outcome.result!)).toEqual(comparable(uninterrupted));

      const entries = readProcessLog(logFile);
      const by = (pid: number) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
      expect(by(first.pid)).toEqual([...WHOLE_RUN_CALLS.slice(0, madeBefore), `hang ${at}`]);
      expect(by(resumer.pid)).toEqual(WHOLE_RUN_CALLS.slice(resumesAt));
      // Done steps never run again: every step executed exactly once across both processes.
      const executions = entries.filter((entry) => entry.what.startsWith('executor ')).map((entry) => entry.what);
      expect(executions).toEqual(['executor a', 'executor x', 'executor y', 'executor c']);
      // The plan is made once, unless the kill came before it was stored.
      expect(entries.filter((entry) => entry.what === 'planner')).toHaveLength(planned ? 1 : 2);

      const store = new LibSQLRunStore({ url });
      try {
        expect((await store.load(runId))?.result).toEqual(outcome.result);
        expect(await store.listUnfinished()).not.toContain(runId);
      } finally {
        store.close();
      }
    },
    30_000,
  );
});
