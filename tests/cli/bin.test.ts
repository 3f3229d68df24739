import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_USAGE } from '../../src/cli/usage.ts';
import { cliEnv, EMPTY_DIR, ROOT } from './helpers/run-cli.ts';

const BIN = join(ROOT, 'bin/plan-execute.js');
const NODE = join(ROOT, 'node_modules/.bin/node');

function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...args], { cwd: EMPTY_DIR, env: cliEnv(), timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('the plan-execute bin', { timeout: 60_000 }, () => {
  it('is wired in package.json, with npm start and npm run demo on the same entry', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'plan-execute': './bin/plan-execute.js' });
    expect([pkg.scripts.start, pkg.scripts.demo]).toEqual(['tsx src/cli.ts', 'tsx src/cli.ts demo']);
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('runs the TypeScript CLI through tsx from any directory', async () => {
    await expect(runBin(['--help'])).resolves.toEqual({ code: 0, stdout: `${MAIN_USAGE}\n`, stderr: '' });
  });

  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    await expect(runBin(['--version'])).resolves.toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("ends quietly with the run's own exit code when the reader of its output goes away (EPIPE)", async () => {
    const child = spawn(NODE, [BIN, 'release', '1.5.0', '--env', 'production', '--latency', '20'], {
      cwd: EMPTY_DIR,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    // Like `| head -1`: read the first chunk, then close the pipe while the run still writes.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([2, '']);
  });

  it('passes the exit code through', async () => {
    const { code, stdout } = await runBin(['release', '1.5.0', '--env', 'staging', '--json']);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).status).toBe('aborted');
  });
});
