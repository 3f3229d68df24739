import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '@mastra/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { PostgresRunStore } from '../../src/storage/postgres-run-store.ts';
import { killFixtures, readProcessLog, spawnFixture } from '../fixtures/spawn-fixture.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';

const FIXTURE = 'tests/fixtures/postgres-run.ts';
const dir = mkdtempSync(join(tmpdir(), 'pe-pg-multi-'));
const logFile = join(dir, 'calls.log');

/** What the fixture prints last. */
interface FixtureOutput {
  readonly runId: string;
  readonly answer: {
    readonly status: string;
    readonly result?: PlanRunResult;
    readonly suspended?: string[][];
    readonly steps: Record<string, { status: string; suspendPayload?: { plan: { steps: Array<{ id: string; dependsOn: string[] }> } } }>;
  };
}

let cluster: PostgresCluster | undefined;
let processA: { pid: number; output: FixtureOutput };
let processB: { pid: number; output: FixtureOutput };

beforeAll(async () => {
  cluster = await startPostgres();
  const env = { PE_DATABASE_URL: cluster.connectionString };
  const a = spawnFixture(FIXTURE, ['start', logFile], env);
  processA = { pid: a.pid, output: JSON.parse((await a.finished).at(-1)!) as FixtureOutput };
  const b = spawnFixture(FIXTURE, ['resume', logFile, processA.output.runId], env);
  processB = { pid: b.pid, output: JSON.parse((await b.finished).at(-1)!) as FixtureOutput };
}, 120_000);

afterAll(async () => {
  await killFixtures();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const logOf = () => readProcessLog(logFile);

describe('the Plan & Execute workflow on PostgreSQL across processes', () => {
  it('process A plans and suspends for approval, then exits', () => {
    const { runId, answer } = processA.output;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.status).toBe('suspended');
    expect(answer.suspended).toEqual([['approve']]);
    expect(answer.steps.approve?.suspendPayload?.plan.steps.map(({ id, dependsOn }) => [id, dependsOn])).toEqual([
      ['a', []],
      ['b', []],
      ['c', ['a', 'b']],
    ]);
  });

  it('process B resumes it with the approval and completes it', () => {
    const { runId, answer } = processB.output;
    expect(runId).toBe(processA.output.runId);
    expect(answer.status).toBe('success');
    expect(answer.result?.status).toBe('completed');
    expect(answer.result?.runId).toBe(runId);
    expect(answer.result?.finalOutput).toBe('a, b and c are done');
    expect(answer.result?.plan.map(({ id, status, output, attempts }) => [id, status, output, attempts])).toEqual([
      ['a', 'done', 'a result', 1],
      ['b', 'done', 'b result', 1],
      ['c', 'done', 'c result', 1],
    ]);
    expect(answer.result?.usage.totalTokens).toBe(8 * 30);
  });

  it('calls the planner only in A, the executor and synthesizer only in B', () => {
    const entries = logOf();
    expect([...new Set(entries.map((entry) => entry.pid))]).toEqual([processA.pid, processB.pid]);
    const by = (pid: number) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    const trail = (stepId: string) => by(processB.pid).filter((what) => what === `model executor ${stepId}` || what === `tool ${stepId}`);
    expect(by(processA.pid)).toEqual(['model planner']);
    // a and b run in parallel, so they interleave; each step's own calls are in order, c after both.
    expect(by(processB.pid)).toHaveLength(10);
    expect(trail('a')).toEqual(['model executor a', 'tool a', 'model executor a']);
    expect(trail('b')).toEqual(['model executor b', 'tool b', 'model executor b']);
    expect(by(processB.pid).slice(6)).toEqual(['model executor c', 'tool c', 'model executor c', 'model synthesizer']);
  });

  it('leaves the workflow run stored as success and the result in the PostgresRunStore (read on a new connection)', async () => {
    const { runId, answer } = processB.output;
    const storage = new PostgresStore({ id: 'plan-execute-reader', connectionString: cluster!.connectionString });
    const runs = new PostgresRunStore({ connectionString: cluster!.connectionString });
    try {
      const workflows = await storage.getStore('workflows');
      const snapshot = await workflows!.loadWorkflowSnapshot({ workflowName: 'plan-execute', runId });
      expect(snapshot?.status).toBe('success');
      const record = await runs.load(runId);
      expect(record?.status).toBe('completed');
      expect(record?.result).toEqual(answer.result);
      expect(await runs.listUnfinished()).toEqual([]);
    } finally {
      await Promise.all([storage.close(), runs.close()]);
    }
  });
});
