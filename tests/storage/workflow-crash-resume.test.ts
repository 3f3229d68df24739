import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowsStorage } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { LibSQLRunStore } from '../../src/storage/libsql-run-store.ts';
import { killFixtures, readProcessLog, spawnFixture } from '../fixtures/spawn-fixture.ts';

const FIXTURE = 'tests/fixtures/workflow-run.ts';
const RUN_ID = 'wf-run-1';
const dir = mkdtempSync(join(tmpdir(), 'pe-wf-crash-'));
const url = `file:${join(dir, 'mastra.db')}`;
const crashLog = join(dir, 'crash.log');

/** What a fixture prints last: the workflow's answer. */
interface WorkflowAnswer {
  readonly status: string;
  readonly result: PlanRunResult;
  readonly steps: Record<string, { status: string; startedAt: number; endedAt: number }>;
}

const answerOf = (lines: string[]) => JSON.parse(lines.at(-1)!) as WorkflowAnswer;

// The attempt counters are left out here and checked on their own below.
const comparable = (result: PlanRunResult) => ({
  status: result.status,
  finalOutput: result.finalOutput,
  initialPlan: result.initialPlan,
  plan: result.plan.map(({ attempts: _attempts, crashes: _crashes, ...step }) => step),
  revisions: result.revisions,
  usage: result.usage,
  error: result.error,
  // a and b run in parallel, so their order in `steps` is whichever finished first.
  steps: result.steps
    .map(({ stepId, status, output, error, toolCalls, usage }) => ({ stepId, status, output, error, toolCalls, usage }))
    .sort((left, right) => left.stepId.localeCompare(right.stepId)),
});
const attemptsOf = (result: PlanRunResult) => ({
  plan: result.plan.map(({ id, attempts }) => [id, attempts]),
  steps: result.steps.map(({ stepId, attempt }) => [stepId, attempt]).sort(),
});

/** Opens both stores of the crash run's database on new connections, for one look. */
async function readStores<T>(look: (runs: LibSQLRunStore, workflows: WorkflowsStorage) => Promise<T>): Promise<T> {
  const runs = new LibSQLRunStore({ url });
  const storage = new LibSQLStore({ id: 'workflow-crash-reader', url });
  try {
    return await look(runs, (await storage.getStore('workflows'))!);
  } finally {
    runs.close();
    await storage.close();
  }
}

let firstPid = 0;
let secondPid = 0;
let killedAt = 0;
let atCrash: { unfinished: string[]; workflowStatus: string | undefined; steps: Array<[string, string, number]> };
let restarted: WorkflowAnswer;
let whole: WorkflowAnswer;

beforeAll(async () => {
  // The uninterrupted run goes alongside, in its own database.
  const wholeRun = spawnFixture(FIXTURE, ['whole', `file:${join(dir, 'whole.db')}`, join(dir, 'whole.log'), RUN_ID]);
  const first = spawnFixture(FIXTURE, ['start', url, crashLog, RUN_ID]);
  firstPid = first.pid;
  await first.waitFor('READY');
  if ((await first.kill()) !== 'SIGKILL') throw new Error('The first process was not killed by SIGKILL');
  killedAt = Date.now();
  atCrash = await readStores(async (runs, workflows) => ({
    unfinished: await runs.listUnfinished(),
    workflowStatus: (await workflows.loadWorkflowSnapshot({ workflowName: 'plan-execute', runId: RUN_ID }))?.status,
    steps: ((await runs.load(RUN_ID))?.snapshot?.steps ?? []).map(({ id, status, attempts }): [string, string, number] => [id, status, attempts]),
  }));
  const second = spawnFixture(FIXTURE, ['restart', url, crashLog, RUN_ID]);
  secondPid = second.pid;
  restarted = answerOf(await second.finished);
  whole = answerOf(await wholeRun.finished);
}, 120_000);

afterAll(async () => {
  await killFixtures();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Plan & Execute workflow killed with SIGKILL inside a parallel execute step', () => {
  it('is stored as running at the crash, with a done and b in flight', () => {
    expect(atCrash).toEqual({
      unfinished: [RUN_ID],
      workflowStatus: 'running',
      steps: [
        ['a', 'done', 1],
        ['b', 'in_progress', 1],
        ['c', 'pending', 0],
      ],
    });
  });

  it('is finished by restart() in a new process: a is not redone, b (in flight) is, c runs once', () => {
    const entries = readProcessLog(crashLog);
    expect([...new Set(entries.map((entry) => entry.pid))]).toEqual([firstPid, secondPid]);
    const by = (pid: number) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    const trail = (pid: number, stepId: string) => by(pid).filter((what) => what === `model executor ${stepId}` || what === `tool ${stepId}`);

    expect(entries.filter((entry) => entry.what === 'model planner').map((entry) => entry.pid)).toEqual([firstPid]);
    // Process 1: planned, ran a to the end, and b up to its hanging tool; a and b interleave.
    expect(by(firstPid)).toHaveLength(6);
    expect(by(firstPid)[0]).toBe('model planner');
    expect(trail(firstPid, 'a')).toEqual(['model executor a', 'tool a', 'model executor a']);
    expect(trail(firstPid, 'b')).toEqual(['model executor b', 'tool b']);
    // Process 2: b again from its start, then c, then the synthesis; nothing of a, no planner.
    expect(by(secondPid)).toEqual(['model executor b', 'tool b', 'model executor b', 'model executor c', 'tool c', 'model executor c', 'model synthesizer']);
  });

  it('does not re-run the workflow steps completed before the crash', () => {
    expect(restarted.status).toBe('success');
    expect(restarted.result.status).toBe('completed');
    const { plan, approve, iterate: iteration, synthesize } = restarted.steps;
    expect([plan?.status, approve?.status, iteration?.status, synthesize?.status]).toEqual(['success', 'success', 'success', 'success']);
    // plan and approve keep process 1's timestamps; the loop and the synthesis ran in process 2.
    expect(plan!.endedAt).toBeLessThan(killedAt);
    expect(approve!.endedAt).toBeLessThan(killedAt);
    expect(iteration!.startedAt).toBeGreaterThan(killedAt);
    expect(synthesize!.startedAt).toBeGreaterThan(killedAt);
  });

  it('ends equal to an uninterrupted run: statuses, outputs, plan, revisions, usage, step results', () => {
    expect(whole.status).toBe('success');
    expect(comparable(restarted.result)).toEqual(comparable(whole.result));
    expect(restarted.result.plan.map(({ id, status }) => [id, status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
      ['c', 'done'],
    ]);
    expect(restarted.result.finalOutput).toBe('a, b and c are done');
    // planner 1 + executor 3 × 2 + synthesizer 1 calls of 30 tokens: b's lost call is not billed.
    expect(restarted.result.usage.totalTokens).toBe(8 * 30);
  });

  // b's attempt 1 was stored before it ran; the crash cut it off, so the restart counts it (and the
  // crash) and runs b as attempt 2: a step that kills its process cannot loop forever.
  it("counts b's attempt cut off by the crash, and the crash", () => {
    expect(attemptsOf(whole.result)).toEqual({
      plan: [
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ],
      steps: [
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ],
    });
    expect(attemptsOf(restarted.result)).toEqual({
      plan: [
        ['a', 1],
        ['b', 2],
        ['c', 1],
      ],
      steps: [
        ['a', 1],
        ['b', 2],
        ['c', 1],
      ],
    });
    expect(restarted.result.plan.map(({ id, crashes }) => [id, crashes])).toEqual([
      ['a', undefined],
      ['b', 1],
      ['c', undefined],
    ]);
  });

  it('leaves the run stored as finished in both stores', async () => {
    await readStores(async (runs, workflows) => {
      expect((await runs.load(RUN_ID))?.result).toEqual(restarted.result);
      expect(await runs.listUnfinished()).toEqual([]);
      expect((await workflows.loadWorkflowSnapshot({ workflowName: 'plan-execute', runId: RUN_ID }))?.status).toBe('success');
    });
  });
});
