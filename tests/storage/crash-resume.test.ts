import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the fixture; resolves with its stdout lines once it exits, or once `until` printed. */
function fixture(args: string[], until?: string): Promise<{ lines: string[]; kill: () => Promise<number | null> }> {
  // One process (tsx as a loader, not its CLI, which would leave a grandchild alive after SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/durable-run.ts', ...args], { env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 137 : _code)));
  let out = '';
  return new Promise((resolve, reject) => {
    const done = () => resolve({ lines: out.trim().split('\n'), kill: () => (child.kill('SIGKILL'), exited) });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (until && out.includes(until)) done();
    });
    child.on('exit', (code) => (code === 0 ? done() : until ? reject(new Error(`fixture exited ${code} before ${until}`)) : reject(new Error(`fixture exited ${code}`))));
  });
}

const logOf = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([pid, ...rest]) => ({ pid: Number(pid), what: rest.join(' ') }));

const comparable = (result: PlanRunResult) => ({
  status: result.status,
  finalOutput: result.finalOutput,
  plan: result.plan,
  revisions: result.revisions,
  usage: result.usage,
  steps: result.steps.map(({ stepId, attempt, status, output, toolCalls, usage }) => ({ stepId, attempt, status, output, toolCalls, usage })),
});

describe('LibSQLRunStore: a run killed with SIGKILL mid-step', () => {
  it('is finished by a new process without re-running or re-billing done steps, equal to an uninterrupted run', async () => {
    const crashLog = join(dir, 'crash.log');
    const url = `file:${join(dir, 'runs.db')}`;
    const first = await fixture(['start', url, crashLog, 'run-1'], 'READY');
    expect(await first.kill()).toBe(137);
    const resumed = await fixture(['resume', url, crashLog, 'run-1']);
    const result = JSON.parse(resumed.lines.at(-1)!) as PlanRunResult;

    const entries = logOf(crashLog);
    const [firstPid, secondPid] = [...new Set(entries.map((entry) => entry.pid))];
    const by = (pid: number | undefined) => entries.filter((entry) => entry.pid === pid).map((entry) => entry.what);
    expect(by(firstPid)).toEqual(['model planner', 'model executor a', 'tool a', 'model executor a', 'model executor b', 'tool b']);
    // Only b (in flight at the kill) runs again; a and the plan are neither re-run nor re-billed.
    expect(by(secondPid)).toEqual(['model executor b', 'tool b', 'model executor b', 'model executor c', 'tool c', 'model executor c', 'model synthesizer']);

    const wholeLog = join(dir, 'whole.log');
    const whole = await fixture(['whole', `file:${join(dir, 'whole.db')}`, wholeLog, 'run-2']);
    expect(comparable(result)).toEqual(comparable(JSON.parse(whole.lines.at(-1)!) as PlanRunResult));
    expect(result.status).toBe('completed');
    expect(result.usage.totalTokens).toBe(8 * 30);
  }, 120_000);
});
