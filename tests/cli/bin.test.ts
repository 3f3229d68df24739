import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_USAGE } from '../../src/cli/usage.ts';
import { innermostWith, isAlive } from '../helpers/processes.ts';
import { cliEnv, ROOT, runCli, spawnCli, type CliOutcome } from './helpers/run-cli.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The environment of npm itself on this Node (22), as a developer runs it. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = cliEnv({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` });
  // `npx vitest` passes its npm settings down; the nested npm must read the repository's own.
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  return env;
}

/** `npm <args>` in the repository. */
function runNpm(args: readonly string[]): Promise<Omit<CliOutcome, 'signal'>> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: ROOT, env: npmEnv(), timeout: 80_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

// The installed `plan-execute` bin (dist/cli.js, built) is run by tests/package/pack-install.test.ts.
describe('the CLI entry, src/cli.ts', { timeout: 90_000 }, () => {
  it('is what npm start and npm run demo run, and the bin is its build', () => {
    // One process, with tsx as a loader: tsx's own CLI would stand between the shell and the run (below).
    expect([pkg.scripts.start, pkg.scripts.demo]).toEqual(['node --import tsx src/cli.ts', 'node --import tsx src/cli.ts demo']);
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

  it('cancels the run on Ctrl-C under npm start even when the CLI is too busy to take the signal at once', async () => {
    // Ctrl-C on a terminal signals the whole foreground process group: npm, its shell and the CLI.
    const npm = spawn('npm', ['start', '--silent', '--', 'release', '1.4.3', '--env', 'staging', '--latency', '60000'], {
      cwd: ROOT,
      env: npmEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    npm.stderr?.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((resolve) =>
      npm.stdout?.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('> build started')) resolve();
      }),
    );
    // A CLI whose event loop is held up (frozen here) past tsx's CLI's 2 × 30 ms wait for the
    // child to acknowledge the signal was killed with SIGKILL, its partial results lost.
    const cli = await innermostWith(npm.pid!, 'src/cli.ts');
    process.kill(cli, 'SIGSTOP');
    process.kill(-npm.pid!, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (isAlive(cli)) process.kill(cli, 'SIGCONT');
    await new Promise((resolve) => npm.on('close', resolve));
    expect(stderr).toBe('');
    expect(stdout.slice(stdout.indexOf('  > build started'))).toBe(`  > build started
run cancelled: The run was cancelled

release 1.4.3 to staging (web): aborted (cancelled)
  attempts: build failed
`);
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
