import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PassThrough } from 'node:stream';
import { afterAll } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { memoryIo } from './memory-io.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI entry. */
const CLI = join(ROOT, 'src/cli.ts');
/**
 * An empty directory: no `.env` there, whatever the developer keeps in the repository. Each test
 * file that imports this module gets its own, removed after the file's tests (with the `workspace`
 * folder a `run` without --workspace creates in it).
 */
export const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'plan-execute-cli-test-'));
afterAll(() => rmSync(EMPTY_DIR, { recursive: true, force: true }));

const MODEL_VARIABLES = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'PLANNER_MODEL', 'EXECUTOR_MODEL', 'SYNTHESIZER_MODEL'];

/** The test process's environment without any model variable, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MASTRA_TELEMETRY_DISABLED: '1', ...extra };
  for (const name of MODEL_VARIABLES) if (!(name in extra)) delete env[name];
  return env;
}

/** How a CLI process ended. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of `runCli`. */
export interface RunCliOptions {
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly cwd?: string;
}

/**
 * The CLI as `npm start` runs it: one Node process (the one running the tests) with tsx as a
 * loader, named by its path since the tests run the CLI in other folders. Not tsx's own CLI,
 * which stands in between and kills a process slow to acknowledge a signal (tests/cli/bin.test.ts).
 */
export const CLI_COMMAND: readonly [string, ...string[]] = [
  process.execPath,
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  CLI,
];

/** Runs `node --import tsx src/cli.ts …args` (execFile, no shell) and collects its output and exit code; kills it after `timeoutMs` (default 30 s). */
export function runCli(
  args: readonly string[],
  { env = {}, input, cwd = EMPTY_DIR, timeoutMs = 30_000 }: RunCliOptions & { readonly timeoutMs?: number } = {},
): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = execFile(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], { cwd, env: cliEnv(env), timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/**
 * Runs the CLI in this process through `main()`, as `runCli` runs it in a child (the same
 * environment, working directory and stdin, then its end): no process start, which costs 5–10 s
 * on two busy cores. Each command keeps a spawned test of its own for the process path.
 */
export async function runMain(args: readonly string[], { env = {}, input, cwd = EMPTY_DIR }: RunCliOptions = {}): Promise<CliOutcome> {
  const { io, output } = memoryIo({ env: cliEnv(env), cwd });
  (io.stdin as PassThrough).end(input ?? '');
  const code = await main([...args], io);
  return { code, signal: null, stdout: output.stdout, stderr: output.stderr };
}

/** Starts the CLI and hands back the process, for tests that talk to it while it runs. */
export function spawnCli(args: readonly string[], { env = {}, cwd = EMPTY_DIR }: RunCliOptions = {}): ChildProcess {
  return spawn(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], { cwd, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Replaces run ids and durations, which change every run, and `workspace` (a temp dir) with `<workspace>`. */
export function normalise(text: string, workspace?: string): string {
  const named = workspace ? text.replaceAll(workspace, '<workspace>') : text;
  return named.replace(/\brun [0-9a-f]{8}( resumed)?:/g, 'run <id>$1:').replace(/in \d+ ms/g, 'in <n> ms');
}
