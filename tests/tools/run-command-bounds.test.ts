import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRunCommandTool, type RunCommandToolOptions } from '../../src/tools/run-command.ts';
import { processesWith, SANDBOX_ROWS } from './hostile-helpers.ts';
import { callTool, createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

let sandbox: Sandbox;
const runCommand = (options: Partial<RunCommandToolOptions> = {}) =>
  createRunCommandTool({ workspace: sandbox.workspace, allowedCommands: ['sleep', 'sh', 'head', 'node'], ...options });

beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  expect(await sandbox.outsideFiles()).toEqual(OUTSIDE_FILES);
  await sandbox.remove();
});

describe.each(SANDBOX_ROWS)('run-command: bounds $label', ({ mode }) => {
  const tag = mode === 'off' ? 1 : 2;

  it('kills a command that never ends at the time limit, its whole process group included', async () => {
    const [first, second] = [`30.${process.pid}${tag}1`, `30.${process.pid}${tag}2`];
    const started = performance.now();
    const result = await callTool(runCommand({ timeoutMs: 300, sandbox: mode }), { command: 'sh', args: ['-c', `sleep ${first} & sleep ${second}`] });
    const elapsed = performance.now() - started;
    expect(result).toEqual({
      ok: false,
      exitCode: null,
      signal: 'SIGKILL',
      stdout: '',
      stderr: '',
      truncated: false,
      timedOut: true,
      durationMs: expect.any(Number),
      error: 'Timed out after 300 ms; the command and everything it started were killed',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(2_000);
    await vi.waitFor(async () => expect([...(await processesWith(first)), ...(await processesWith(second))]).toEqual([]), { timeout: 1_000 });
  });

  it('times out a plain `sleep 30` after 300 ms and leaves no process behind', async () => {
    const duration = `30.${process.pid}${tag}3`;
    const result = await callTool(runCommand({ timeoutMs: 300, sandbox: mode }), { command: 'sleep', args: [duration] });
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(result.durationMs).toBeLessThan(2_000);
    await vi.waitFor(async () => expect(await processesWith(duration)).toEqual([]), { timeout: 1_000 });
  });

  it('kills a command that prints 50 MB early, keeping exactly the first 64 KiB, in bounded memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const result = await callTool(runCommand({ sandbox: mode }), { command: 'head', args: ['-c', '50000000', '/dev/zero'] });
    const elapsed = performance.now() - started;
    expect({ ...result, stdout: undefined }).toEqual({
      ok: false,
      exitCode: null,
      signal: 'SIGKILL',
      stdout: undefined,
      stderr: '',
      truncated: true,
      timedOut: false,
      durationMs: expect.any(Number),
      error: 'Printed more than 1048576 bytes; the command was killed and only the start of its output kept',
    });
    expect(result.stdout).toBe('\0'.repeat(65_536));
    expect(elapsed).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);
  });

  it('caps stdout and stderr together and keeps a command under the kill threshold running to the end', async () => {
    const script = "process.stdout.write('o'.repeat(700)); setTimeout(() => process.stderr.write('e'.repeat(700)), 50)";
    const result = await callTool(runCommand({ maxOutputBytes: 1_000, sandbox: mode }), { command: 'node', args: ['-e', script] });
    expect(result).toEqual({
      ok: true,
      exitCode: 0,
      signal: null,
      stdout: 'o'.repeat(700),
      stderr: 'e'.repeat(300),
      truncated: true,
      timedOut: false,
      durationMs: expect.any(Number),
    });
  });

  it('kills the process group when the abort signal fires', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await callTool(runCommand({ timeoutMs: 10_000, sandbox: mode }), { command: 'sleep', args: ['30'] }, { abortSignal: controller.signal });
    expect(result).toMatchObject({
      ok: false,
      exitCode: null,
      signal: 'SIGKILL',
      timedOut: false,
      error: 'Cancelled; the command and everything it started were killed',
    });
    expect(result.durationMs).toBeLessThan(2_000);
  });
});
