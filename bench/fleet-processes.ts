/**
 * The fleet bench's worker processes: each a child `node --import tsx bench/fleet-worker.ts`,
 * its database URL and settings in its environment (never in argv, where `ps` shows them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_FILE = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A worker that has not said `ready` by then is taken as broken (Mastra and tsx load slowly on a busy machine). */
const READY_TIMEOUT_MS = 120_000;
/** How long `stop()` waits for a graceful exit before SIGKILL. */
const STOP_TIMEOUT_MS = 40_000;

/** How a bench worker works. */
export interface WorkerSettings {
  readonly connectionString: string;
  /** Time each scripted model call takes, in ms. */
  readonly delayMs: number;
  /** Runs the worker drives at once. */
  readonly concurrency: number;
}

/** A worker process started by the bench. */
export interface BenchWorker {
  readonly pid: number;
  /** Its log lines so far (what `startWorker`'s `log` printed). */
  readonly lines: readonly string[];
  /** Marks the start of a timed stretch: the worker reports the CPU it has spent so far. */
  markCpu(): Promise<void>;
  /** SIGTERM, then waits for the exit (SIGKILL after a bound); resolves to the CPU spent since `markCpu()`, in ms (NaN without a mark). */
  stop(): Promise<number>;
  /** SIGKILL, at once; resolves to the time of the kill (ms since the epoch). */
  kill(): number;
}

/** Starts one worker process and resolves once it works the queues. */
export async function startBenchWorker(settings: WorkerSettings, verbose: boolean): Promise<BenchWorker> {
  const env = {
    ...process.env,
    PLAN_EXECUTE_DB: settings.connectionString,
    FLEET_BENCH_DELAY_MS: String(settings.delayMs),
    FLEET_BENCH_CONCURRENCY: String(settings.concurrency),
    MASTRA_TELEMETRY_DISABLED: '1',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_FILE], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const errors: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line);
      if (verbose) process.stderr.write(`  [${child.pid}] ${line}\n`);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => errors.push(chunk));
  // A bench that dies (an error, Ctrl-C, a closed pipe) leaves no worker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(() => void process.removeListener('exit', killOnExit));
  await waitUntilReady(child, lines, errors, exited);
  const cpuLines = () => lines.filter((line) => line.startsWith('cpu ')).map((line) => Number(line.slice(4)));
  return {
    pid: child.pid!,
    lines,
    markCpu: async () => {
      const before = cpuLines().length;
      const giveUpAt = Date.now() + READY_TIMEOUT_MS;
      child.kill('SIGUSR2');
      while (cpuLines().length === before) {
        if (Date.now() > giveUpAt) throw new Error(`Bench worker ${child.pid} did not report its CPU`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      await stopChild(child, exited);
      const cpu = cpuLines();
      // Lines: at ready, at the mark, at stop.
      return cpu.length === 3 ? cpu[2]! - cpu[1]! : Number.NaN;
    },
    kill: () => {
      child.kill('SIGKILL');
      return Date.now();
    },
  };
}

async function waitUntilReady(child: ChildProcess, lines: readonly string[], errors: readonly string[], exited: Promise<void>): Promise<void> {
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  while (!lines.includes('ready')) {
    if (hasExited || Date.now() > giveUpAt) {
      child.kill('SIGKILL');
      throw new Error(`A bench worker ${hasExited ? 'exited' : `was not ready after ${READY_TIMEOUT_MS} ms`}:\n${errors.join('').trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
