import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, where `npm run dev` runs. */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** Variables added to this process's environment (PORT is set from `port`). */
  readonly env: Readonly<Record<string, string>>;
  /** The port `mastra dev` must listen on; it is checked to be free first. @default 4111 */
  readonly port?: number;
  /** How long the cold bundle may take before the first 200. @default 150_000 */
  readonly readyTimeoutMs?: number;
}

/** A running `npm run dev`, in its own process group. */
export interface DevServer {
  /** `http://localhost:<port>`. */
  readonly url: string;
  /** The pid of `npm run dev`, which is also the id of the process group it leads. */
  readonly pid: number;
  /** Milliseconds from spawning `npm run dev` to the first 200 from `GET /api/workflows`. */
  readonly readyAfterMs: number;
  /** Stops the whole process group: SIGTERM, then SIGKILL when it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Starts `npm run dev` (`mastra dev`) on `port` with `env`, detached into its own process group,
 * and resolves once `GET /api/workflows` answers 200. Fails with the tail of the server's output
 * when the port is taken, the server exits, or it is not ready within `readyTimeoutMs`. The group
 * is SIGKILLed when this process exits, so a test run that dies leaves nothing behind.
 */
export async function startDevServer({ env, port = 4111, readyTimeoutMs = 150_000 }: DevServerOptions): Promise<DevServer> {
  if (await isPortAnswering(port)) {
    throw new Error(`Port ${port} is already in use (another \`npm run dev\`?); stop whatever listens there before running the playground tests.`);
  }
  const startedAt = Date.now();
  // PORT pinned: without it `mastra dev` silently moves to 4112..4131 when 4111 is taken.
  const child = spawn('npm', ['run', 'dev'], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port) },
  });
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
    if (!(await waitForGroupExit(child, 2_000))) throw new Error(`The dev server's process group ${child.pid} survived SIGKILL`);
  };
  const url = `http://localhost:${port}`;
  try {
    await waitUntilReady(child, `${url}/api/workflows`, startedAt + readyTimeoutMs);
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- npm run dev output (tail) ---\n${output.slice(-4_000)}`);
  }
  return { url, pid: child.pid!, readyAfterMs: Date.now() - startedAt, stop };
}

async function waitUntilReady(child: ChildProcess, probeUrl: string, deadline: number): Promise<void> {
  let ended: string | null = null;
  child.once('exit', (code, signal) => void (ended = `exited (code ${code}, signal ${signal})`));
  child.once('error', (error) => void (ended = `could not start: ${error.message}`));
  const startedAt = Date.now();
  while (Date.now() < deadline) {
    if (ended) throw new Error(`npm run dev ${ended} before serving ${probeUrl}`);
    const response = await fetch(probeUrl, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (response?.status === 200) return;
    await response?.body?.cancel();
    await sleep(250);
  }
  throw new Error(`npm run dev did not answer 200 on ${probeUrl} within ${Math.round((Date.now() - startedAt) / 1000)} s`);
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
