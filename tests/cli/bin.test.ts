import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_USAGE } from '../../src/cli/usage.ts';
import { cliEnv, ROOT, runCli, spawnCli, type CliOutcome } from './helpers/run-cli.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** `npm <args>` in the repository, npm itself on this Node (22), as a developer runs it. */
function runNpm(args: readonly string[]): Promise<Omit<CliOutcome, 'signal'>> {
  const env = cliEnv({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` });
  // `npx vitest` passes its npm settings down; the nested npm must read the repository's own.
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: ROOT, env, timeout: 80_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

// The installed `plan-execute` bin (dist/cli.js, built) is run by tests/package/pack-install.test.ts.
describe('the CLI entry, src/cli.ts', { timeout: 90_000 }, () => {
  it('is what npm start and npm run demo run, and the bin is its build', () => {
    expect([pkg.scripts.start, pkg.scripts.demo]).toEqual(['tsx src/cli.ts', 'tsx src/cli.ts demo']);
    expect(pkg.bin).toEqual({ 'plan-execute': 'dist/cli.js' });
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('prints the usage and the version from package.json', async () => {
    await expect(runCli(['--help'])).resolves.toEqual({ code: 0, signal: null, stdout: `${MAIN_USAGE}\n`, stderr: '' });
    await expect(runCli(['--version'])).resolves.toEqual({ code: 0, signal: null, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints only the JSON under npm start --silent, and passes the exit code through npm', async () => {
    const { code, stdout, stderr } = await runNpm(['start', '--silent', '--', 'release', '1.5.0', '--env', 'production', '--json']);
    expect([code, stderr]).toEqual([2, '']);
    // The whole of stdout parses: no `> mastra-plan-execute@… start` banner before it, so `| jq .status` works.
    expect(JSON.parse(stdout).status).toBe('aborted');
  });

  it("ends quietly with the run's own exit code when the reader of its output goes away (EPIPE)", async () => {
    const child = spawnCli(['release', '1.5.0', '--env', 'production', '--latency', '20']);
    child.stdin?.end();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    // Like `| head -1`: read the first chunk, then close the pipe while the run still writes.
    child.stdout?.once('data', () => child.stdout?.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([2, '']);
  });
});
