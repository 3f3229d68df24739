import { spawn } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from './dev-server.ts';

/** Options of {@link buildServer}. */
export interface BuildServerOptions {
  /** An empty folder: it becomes the build's root, and the output goes to `<rootDir>/.mastra/output`. */
  readonly rootDir: string;
  /** Bundle the Studio too (`--studio`): the built server then serves it at `/`. @default false */
  readonly studio?: boolean;
  /** How long the build may take. @default 420_000 */
  readonly timeoutMs?: number;
}

/** A finished `npm run build:server`. */
export interface ServerBuild {
  /** The folder to run `node index.mjs` in. */
  readonly outputDir: string;
  /** Wall time of the build, its own `npm install` included. */
  readonly durationMs: number;
  /** What the build printed. */
  readonly log: string;
}

/**
 * Runs the project's `npm run build:server` with `--root rootDir --dir <project>/src/mastra`, so the
 * output lands in `rootDir/.mastra/output` instead of the project's `.mastra/` — where a running
 * `mastra dev` (the playground tests) keeps its own bundle and a lock that makes `mastra build`
 * refuse. The root gets the project's package.json and lockfile (the build reads the dependency
 * versions there) and a link to its node_modules. The build bundles, then runs its own `npm install`
 * into the output (preferring npm's cache). The command runs in its own process group, killed on timeout.
 */
export async function buildServer({ rootDir, studio = false, timeoutMs = 420_000 }: BuildServerOptions): Promise<ServerBuild> {
  await mkdir(rootDir, { recursive: true });
  await copyFile(join(PROJECT_ROOT, 'package.json'), join(rootDir, 'package.json'));
  await copyFile(join(PROJECT_ROOT, 'package-lock.json'), join(rootDir, 'package-lock.json'));
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(rootDir, 'node_modules'), 'dir');
  const args = ['run', 'build:server', '--', '--root', rootDir, '--dir', join(PROJECT_ROOT, 'src', 'mastra'), ...(studio ? ['--studio'] : [])];
  const startedAt = Date.now();
  const log = await run('npm', args, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }, timeoutMs);
  return { outputDir: join(rootDir, '.mastra', 'output'), durationMs: Date.now() - startedAt, log };
}

/** Runs `program` in the project root; resolves with its output, rejects with the tail of it when it fails. */
function run(program: string, args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    const keep = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-64 * 1024));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    process.once('exit', kill);
    const timer = setTimeout(kill, timeoutMs);
    const fail = (reason: string) => reject(new Error(`${program} ${args.join(' ')} ${reason}\n--- output (tail) ---\n${output.slice(-4_000)}`));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', kill);
      // The success line too: a build that stopped early (a deployer found, nothing bundled) also exits 0.
      if (code === 0 && output.includes('Build successful')) resolve(output);
      else fail(signal ? `was killed (${signal}) after ${timeoutMs} ms or by a signal` : `exited with code ${code}`);
    });
  });
}
