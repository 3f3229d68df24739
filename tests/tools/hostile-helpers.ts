import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeBubblewrap } from '../../src/tools/bubblewrap.ts';
import type { SandboxMode } from '../../src/tools/command-sandbox.ts';

/** What a hostile input achieved: the tool refused it (or its effect never happened), it ran with no effect outside, or it got out. */
export type Outcome = 'refused' | 'harmless' | 'escaped';

/** The modes under test: `required` (bubblewrap) and `off`. */
export type TestedMode = Extract<SandboxMode, 'required' | 'off'>;

/** Whether bubblewrap works here. */
export const bubblewrap = probeBubblewrap();

/**
 * The sandbox rows to run: both, except that the bubblewrap row is skipped when bwrap is missing
 * outside CI. Under CI=true the row runs anyway, and creating a tool with `sandbox: 'required'`
 * then fails every one of its tests, as a missing Chromium fails the playground tests.
 */
export const SANDBOX_ROWS: Array<{ mode: TestedMode; label: string }> = [
  ...(bubblewrap.usable || process.env.CI === 'true' ? [{ mode: 'required' as const, label: 'with bwrap' }] : []),
  { mode: 'off', label: 'without bwrap' },
];

/** The secret the harness process starts with (so it is in its /proc/<pid>/environ). */
export const PARENT_SECRET = 'PLAN_EXECUTE_TEST_SECRET';

/** Pids of live processes whose command line contains `argument` (from /proc; zombies have an empty cmdline). */
export async function processesWith(argument: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const matches = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return cmdline.split('\0').includes(argument) ? Number(pid) : null;
    }),
  );
  return matches.filter((pid): pid is number => pid !== null);
}

/** A loopback TCP server that counts the connections it accepts. */
export async function listenOnLoopback(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end('hello\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    connections: () => count,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Swaps `<workspace>/race` (a directory) with a symbolic link to `target` and back, as fast as it
 * can, at most `iterations` times, in its own process (so it really runs between the tool's
 * system calls). Resolves once it is swapping; `stop()` ends it and resolves with the number of swaps made.
 */
export async function startSwapper(workspaceRoot: string, target: string, iterations: number): Promise<{ stop(): Promise<number> }> {
  // renameat2(RENAME_EXCHANGE) swaps the two names atomically: race/ always exists, as the directory or as the link.
  const script = [
    'import ctypes, os, sys',
    'race, target, n = sys.argv[1], sys.argv[2], int(sys.argv[3])',
    'other = race + ".link"',
    'os.symlink(target, other)',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'done = 0',
    'print("ready", flush=True)',
    'try:',
    '    for done in range(1, n + 1):',
    '        if libc.renameat2(-100, race.encode(), -100, other.encode(), 2) != 0:',
    '            raise OSError(ctypes.get_errno(), "renameat2")',
    'except KeyboardInterrupt:',
    '    pass',
    'print(done, flush=True)',
  ].join('\n');
  const swapper = spawn('/usr/bin/python3', ['-c', script, path.join(workspaceRoot, 'race'), target, String(iterations)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ended = new Promise<void>((resolve) => swapper.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    swapper.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.startsWith('ready\n')) resolve();
    });
    ended.then(resolve);
  });
  return {
    async stop() {
      swapper.kill('SIGINT'); // KeyboardInterrupt ends the loop; the count is printed after it
      await ended;
      return Number(output.replace('ready\n', '').trim()) || 0;
    },
  };
}

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'parent-environ.ts');

/**
 * Runs the fixture `parent-environ.ts` in a new Node process that starts with `PARENT_SECRET` in
 * its environment: it creates a run-command tool in `mode` and reads its own /proc/<pid>/environ,
 * then every /proc/<pid>/environ, through commands. Resolves with the two tool results.
 */
export function runParentHarness(mode: TestedMode, workspaceRoot: string, secret: string): Promise<[CommandResult, CommandResult]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', HARNESS, mode, workspaceRoot], {
      env: { ...process.env, [PARENT_SECRET]: secret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`harness exited ${code}: ${output}`))));
  });
}

/** The fields of a run-command result the hostile tests read. */
export interface CommandResult {
  readonly ok: boolean;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly error?: string;
}

/** `promise`, or a rejection naming `what` after `ms`: a FIFO that blocks must fail the test, not hang it. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}
