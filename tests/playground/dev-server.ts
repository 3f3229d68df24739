import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, where `npm run dev` runs. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** Variables added to this process's environment (PORT is set from `port`). */
  readonly env: Readonly<Record<string, string>>;
  /** The port `mastra dev` must listen on; it is checked to be free first. @default 4111 */
  readonly port?: number;
  /** How long the cold bundle may take before the first 200. @default 150_000 */
  readonly readyTimeoutMs?: number;
}

/** A running server process (`npm run dev`, a built server), in its own process group. */
export interface DevServer {
  /** `http://localhost:<port>`. */
  readonly url: string;
  /** The pid of the spawned command, which is also the id of the process group it leads. */
  readonly pid: number;
  /** Milliseconds from spawning the command to the first 200 from `GET /api/workflows`. */
  readonly readyAfterMs: number;
  /** The server's stdout and stderr so far (the last 256 KiB). */
  output(): string;
  /** Stops the whole process group: SIGTERM, then SIGKILL when it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** The program and its arguments. */
  readonly command: readonly [string, ...string[]];
  /** Where it runs. */
  readonly cwd: string;
  /** Variables added to this process's environment (PORT is set from `port`); undefined removes one. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The port the server must listen on; it is checked to be free first. */
  readonly port: number;
  /** How long until the first 200. */
  readonly readyTimeoutMs: number;
}

const OUTPUT_LIMIT = 256 * 1024;

/**
 * Starts `npm run dev` (`mastra dev`) on `port` with `env`, detached into its own process group,
 * and resolves once `GET /api/workflows` answers 200. Fails with the tail of the server's output
 * when the port is taken, the server exits, or it is not ready within `readyTimeoutMs`. The group
 * is SIGKILLed when this process exits, so a test run that dies leaves nothing behind.
 */
export function startDevServer({ env, port = 4111, readyTimeoutMs = 150_000 }: DevServerOptions): Promise<DevServer> {
  return startServerProcess({ command: ['npm', 'run', 'dev'], cwd: PROJECT_ROOT, env, port, readyTimeoutMs });
}

/** Like {@link startDevServer} for any command that serves the Mastra API on PORT (a built server). */
export async function startServerProcess({ command: [program, ...args], cwd, env, port, readyTimeoutMs }: ServerProcessOptions): Promise<DevServer> {
  const name = [program, ...args].join(' ');
  if (await isPortAnswering(port)) throw new Error(`Port ${port} is already in use; stop whatever listens there before starting ${name}.`);
  const startedAt = Date.now();
  // PORT pinned: without it `mastra dev` silently moves to 4112..4131 when 4111 is taken.
  const child = spawn(program, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: withEnv({ ...env, PORT: String(port) }) });
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (graceMs = 5_000) => {
    process.off('exit', killOnExit);
    signalGroup(child, 'SIGTERM');
    if (await waitForGroupExit(child, graceMs)) return;
    signalGroup(child, 'SIGKILL');
    if (!(await waitForGroupExit(child, 2_000))) throw new Error(`The process group ${child.pid} of ${name} survived SIGKILL`);
  };
  const url = `http://localhost:${port}`;
  try {
    await waitUntilReady(child, name, `${url}/api/workflows`, startedAt + readyTimeoutMs);
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${name} output (tail) ---\n${output.slice(-4_000)}`);
  }
  return { url, pid: child.pid!, readyAfterMs: Date.now() - startedAt, output: () => output, stop };
}

/** This process's environment with `changes` applied (an undefined value removes the variable). */
function withEnv(changes: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(child: ChildProcess, name: string, probeUrl: string, deadline: number): Promise<void> {
  let ended: string | null = null;
  child.once('exit', (code, signal) => void (ended = `exited (code ${code}, signal ${signal})`));
  child.once('error', (error) => void (ended = `could not start: ${error.message}`));
  const startedAt = Date.now();
  while (Date.now() < deadline) {
    if (ended) throw new Error(`${name} ${ended} before serving ${probeUrl}`);
    const response = await fetch(probeUrl, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (response?.status === 200) return;
    await response?.body?.cancel();
    await sleep(250);
  }
  throw new Error(`${name} did not answer 200 on ${probeUrl} within ${Math.round((Date.now() - startedAt) / 1000)} s`);
}

/** Whether anything accepts connections on `port` on either loopback address. */
async function isPortAnswering(port: number): Promise<boolean> {
  const answers = await Promise.all(['127.0.0.1', '::1'].map((host) => canConnect(host, port)));
  return answers.some(Boolean);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends `signal` to the child's process group (its pid, since it was spawned detached). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether every process of the group is gone within `timeoutMs`. */
async function waitForGroupExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(child)) return true;
    await sleep(100);
  }
  return !isGroupAlive(child);
}

/**
 * Whether a live (non-zombie) process is left in the child's group. Read from /proc where it
 * exists, because an orphaned zombie counts for `kill(-pgid, 0)` until init reaps it, and the
 * init of some containers never does.
 */
function isGroupAlive(child: ChildProcess): boolean {
  const pgid = child.pid!;
  if (existsSync('/proc/self/stat')) return liveGroupMembers(pgid).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the non-zombie processes whose process group is `pgid`, from /proc/<pid>/stat. */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while listing
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
