import { execFile } from 'node:child_process';
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

  it('passes the exit code through', async () => {
    const { code, stdout } = await runBin(['release', '1.5.0', '--env', 'staging', '--json']);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).status).toBe('aborted');
  });
});
