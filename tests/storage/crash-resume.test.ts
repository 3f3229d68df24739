import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { killFixtures, readProcessLog, spawnFixture } from '../fixtures/spawn-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-crash-'));
afterAll(async () => {
  await killFixtures();
  rmSync(dir, { recursive: true, force: true });
});

const comparable = (result: PlanRunResult) => ({
  status: result.status,
  finalOutput: result.finalOutput,
  // Attempt counters differ by the crashed attempt; checked on their own below.
  plan: result.plan.map(({ attempts: _attempts, crashes: _crashes, ...step }) => step),
  revisions: result.revisions,
  usage: result.usage,
  steps: result.steps.map(({ stepId, status, output, toolCalls, usage }) => ({ stepId, status, output, toolCalls, usage })),
});

describe('LibSQLRunStore: a run killed with SIGKILL mid-step', () => {
  it('is finished by a new process without re-running or re-billing done steps, equal to an uninterrupted run', async () => {
    const crashLog = join(dir, 'crash.log');
    const url = `file:${join(dir, 'runs.db')}`;
    const FIXTURE = 'tests/fixtures/durable-run.ts';
    const first = spawnFixture(FIXTURE, ['start', url, crashLog, 'run-1']);
    await first.waitFor('READY');
    expect(await first.kill()).toBe('SIGKILL');
    const resumed = await spawnFixture(FIXTURE, ['resume', url, crashLog, 'run-1']).finished;
    const result = JSON.parse(resumed.at(-1)!) as PlanRunResult;

    const entries = readProcessLog(crashLog);
    const [firstPid, secondPid] = [...new Set(entries.map((entry) => entry.pid))];
    const by = (pid: number | undefined) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    expect(by(firstPid)).toEqual(['model planner', 'model executor a', 'tool a', 'model executor a', 'model executor b', 'tool b']);
    // Only b (in flight at the kill) runs again; a and the plan are neither re-run nor re-billed.
    expect(by(secondPid)).toEqual(['model executor b', 'tool b', 'model executor b', 'model executor c', 'tool c', 'model executor c', 'model synthesizer']);

    const wholeLog = join(dir, 'whole.log');
    const whole = await spawnFixture(FIXTURE, ['whole', `file:${join(dir, 'whole.db')}`, wholeLog, 'run-2']).finished;
    expect(comparable(result)).toEqual(comparable(JSON.parse(whole.at(-1)!) as PlanRunResult));
    expect(result.status).toBe('completed');
    expect(result.usage.totalTokens).toBe(8 * 30);
    // b's attempt cut off by the kill was stored before it ran: it counts, and so does the crash.
    expect(result.plan.map(({ id, attempts, crashes }) => [id, attempts, crashes])).toEqual([
      ['a', 1, undefined],
      ['b', 2, 1],
      ['c', 1, undefined],
    ]);
    expect(result.steps.map(({ stepId, attempt }) => [stepId, attempt])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
    ]);
  }, 120_000);
});
