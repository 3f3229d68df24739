import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { OutputBuffer } from './output-buffer.ts';

/** What to run and within which bounds. */
export interface ProcessRequest {
  /** Absolute path of the program. */
  readonly executable: string;
  /** What the program sees as its own name (argv[0]): the bare name it was asked by, as a shell would pass it. */
  readonly argv0: string;
  /** Its arguments, passed as they are (no shell). */
  readonly args: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** The whole environment of the process. */
  readonly env: Readonly<Record<string, string>>;
  /** Time limit; then the process group is killed. */
  readonly timeoutMs: number;
  /** Bytes of stdout + stderr kept. */
  readonly maxOutputBytes: number;
  /** Bytes of output after which the process group is killed. */
  readonly killAfterBytes: number;
  /** Kills the process group when it fires. */
  readonly abortSignal?: AbortSignal;
  /**
   * Called with the program's pid whenever its group is killed (time limit, abort, output limit,
   * exit): finds and kills what left the group. None with bubblewrap, where the PID namespace dies
   * with the sandbox.
   */
  readonly sweep?: (pid: number) => Promise<void>;
}

/** How a process ended. */
export interface ProcessRun {
  /** Exit code; null when killed by a signal. */
  readonly exitCode: number | null;
  /** The signal that ended it (e.g. 'SIGKILL'); null when it exited. */
  readonly signal: string | null;
  /** Its standard output (the kept part). */
  readonly stdout: string;
  /** Its standard error (the kept part). */
  readonly stderr: string;
  /** Whether output beyond `maxOutputBytes` was discarded. */
  readonly truncated: boolean;
  /** Whether it was killed for running past `timeoutMs`. */
  readonly timedOut: boolean;
  /** Whether it was killed for printing more than `killAfterBytes`. */
  readonly outputLimitHit: boolean;
  /** Whether it was killed because `abortSignal` fired. */
  readonly cancelled: boolean;
  /** Wall-clock time from spawn to the pipes closing. */
  readonly durationMs: number;
}

/** Why a process could not be started (ENOENT, EACCES, …). */
export interface SpawnFailure {
  readonly spawnError: Error;
}

/** SIGKILL to every process of the group led by `pid`; a group already gone (ESRCH) is fine. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Spawns the program detached (leader of a new process group and session), stdin closed. */
function startChild({ executable, argv0, args, cwd, env }: ProcessRequest): Child | SpawnFailure {
  try {
    return spawn(executable, [...args], { argv0, cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (spawnError) {
    // Thrown synchronously for invalid arguments, such as a NUL byte in an argument.
    return { spawnError: spawnError as Error };
  }
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Kills the child's group and runs the sweep; `settled` resolves once every sweep started so far is done. */
function killSwitch(child: Child, sweep: ProcessRequest['sweep']) {
  let sweeping = Promise.resolve();
  return {
    kill() {
      killGroup(child.pid);
      const { pid } = child;
      if (sweep && pid !== undefined) sweeping = sweeping.then(() => sweep(pid));
    },
    settled: () => sweeping,
  };
}

/** Watches a started child until its pipes close: limits, abort, output, and the kill on exit. */
function watchChild(child: Child, request: ProcessRequest, resolve: (run: ProcessRun | SpawnFailure) => void): void {
  const { timeoutMs, maxOutputBytes, killAfterBytes, abortSignal } = request;
  const started = performance.now();
  const output = new OutputBuffer(maxOutputBytes);
  const flags = { timedOut: false, outputLimitHit: false, cancelled: false };
  const killer = killSwitch(child, request.sweep);
  const stop = (flag: keyof typeof flags) => {
    flags[flag] = true;
    killer.kill();
    // Output read after the kill is not wanted, and a daemon that left the group may hold the pipes open.
    child.stdout.destroy();
    child.stderr.destroy();
  };
  const timer = setTimeout(() => stop('timedOut'), timeoutMs);
  const onAbort = () => stop('cancelled');
  abortSignal?.addEventListener('abort', onAbort, { once: true });
  const cleanUp = () => {
    clearTimeout(timer);
    abortSignal?.removeEventListener('abort', onAbort);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      output.push(stream, chunk);
      if (output.received > killAfterBytes && !flags.outputLimitHit) stop('outputLimitHit');
    });
  }
  child.on('exit', () => killer.kill());
  child.on('error', (spawnError) => {
    if (child.pid !== undefined) return; // A later error of a running child; 'close' still reports it.
    cleanUp();
    resolve({ spawnError });
  });
  child.on('close', async (exitCode, signal) => {
    cleanUp();
    await killer.settled();
    const durationMs = Math.round(performance.now() - started);
    resolve({ exitCode, signal, stdout: output.text('stdout'), stderr: output.text('stderr'), truncated: output.truncated, ...flags, durationMs });
  });
  if (abortSignal?.aborted) onAbort();
}

/**
 * Runs one program without a shell, in its own process group and session (detached), stdin
 * closed. Kills the whole group, then runs `sweep`, on timeout, on abort, once output passes
 * `killAfterBytes`, and when the program exits (so nothing it started outlives the call); resolves
 * once the sweep is done. Never rejects.
 */
export function runProcess(request: ProcessRequest): Promise<ProcessRun | SpawnFailure> {
  const child = startChild(request);
  if ('spawnError' in child) return Promise.resolve(child);
  return new Promise((resolve) => watchChild(child, request, resolve));
}
