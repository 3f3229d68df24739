import { spawn } from 'node:child_process';
import { link, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFileTools } from '../../src/tools/file-tools.ts';
import { processTable } from '../../src/tools/process-sweep.ts';
import { createRunCommandTool, type RunCommandToolOptions } from '../../src/tools/run-command.ts';
import { listenOnLoopback, processesWith, runParentHarness, startSwapper, within, type Outcome, type TestedMode } from './hostile-helpers.ts';
import { callTool, type Sandbox } from './sandbox.ts';

/** What a case gets: the sandbox of the test and the mode under test. */
export interface CaseContext {
  readonly sandbox: Sandbox;
  readonly mode: TestedMode;
}

/** One hostile input: what it should achieve in each mode, and the attempt, which reports what it did achieve. */
export interface HostileCase {
  readonly name: string;
  /** The outcome per mode; a mode without one does not run the case (it would harm the host). */
  readonly expected: Readonly<Partial<Record<TestedMode, Outcome>>>;
  attempt(context: CaseContext): Promise<Outcome>;
}

const ALLOWED = ['cat', 'sh', 'python3', 'git', 'kill', 'ls'];

/** Details the cases measured beyond their outcome (how hard the race was run), printed with the tally. */
export const MEASUREMENTS: string[] = [];
const SECRET_VALUE = `sk-parent-${process.pid}`;
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );
const isRoot = process.getuid?.() === 0;

/** The run-command tool of a case. */
const commandTool = ({ sandbox, mode }: CaseContext, options: Partial<RunCommandToolOptions> = {}) =>
  createRunCommandTool({ workspace: sandbox.workspace, allowedCommands: ALLOWED, sandbox: mode, timeoutMs: 5_000, ...options });

/** Runs `sh -c script`; escaped when `escapedWhen` holds afterwards, else refused when the command failed, else harmless. */
async function shellAttempt(context: CaseContext, script: string, escapedWhen: (result: { ok: boolean; stdout: string }) => Promise<boolean> | boolean) {
  const result = await callTool(commandTool(context), { command: 'sh', args: ['-c', script] });
  if (await escapedWhen(result)) return 'escaped';
  return result.ok ? 'harmless' : 'refused';
}

/**
 * A python3 program that double-forks, calls setsid() in between, and leaves `sleep <marker>`
 * running; it sleeps itself only once the grandchild has exec'd (its close-on-exec pipe ends) and
 * the middle process is gone.
 */
const daemonScript = (marker: string, clearEnvironment: boolean) =>
  [
    'import os, time',
    'if os.fork() == 0:',
    '    os.setsid()',
    '    r, w = os.pipe()',
    '    if os.fork() == 0:',
    `        os.execve('/usr/bin/sleep', ['sleep', '${marker}'], ${clearEnvironment ? '{}' : 'os.environ'})`,
    '    os.close(w)',
    '    os.read(r, 1)',
    '    os._exit(0)',
    'os.wait()',
    'time.sleep(60)',
  ].join('\n');

/**
 * Whether the daemon `sleep <marker>` has left the script: its parent is no longer the middle
 * python process (which ends once the daemon's exec closed its end of the pipe) but whoever
 * adopted it (init, or the sandbox's bwrap).
 */
async function daemonDetached(marker: string): Promise<boolean> {
  const daemons = await processesWith(marker);
  if (daemons.length === 0) return false;
  const table = await processTable();
  const parents = daemons.map((pid) => table.find((entry) => entry.pid === pid)?.parentPid);
  const names = await Promise.all(parents.map((parent) => (parent === undefined ? '' : readFile(`/proc/${parent}/comm`, 'utf8').catch(() => ''))));
  return names.some((name) => name !== '' && !name.startsWith('python'));
}

/**
 * Cancels the command once its daemon has left it (a cancel and a timeout stop it alike,
 * run-process.ts's `stop`): a fixed time limit could pass first on a loaded machine, while python3
 * (a pyenv shim here, a bash script) is still starting, and kill the group before the daemon left
 * it; and a cancel as soon as the daemon runs could still find it a child of the middle process.
 */
async function setsidDaemon(context: CaseContext, clearEnvironment: boolean): Promise<Outcome> {
  const marker = `${clearEnvironment ? 41 : 40}.${process.pid}${context.mode === 'off' ? 1 : 2}`;
  const cancel = new AbortController();
  const call = callTool(
    commandTool(context, { timeoutMs: 60_000 }),
    { command: 'python3', args: ['-c', daemonScript(marker, clearEnvironment)] },
    { abortSignal: cancel.signal },
  );
  let ended = false;
  void call.finally(() => (ended = true));
  while (!ended && !(await daemonDetached(marker))) await new Promise((resolve) => setTimeout(resolve, 20));
  cancel.abort();
  const result = await call;
  if (result.error !== 'Cancelled; the command and everything it started were killed') throw new Error(`expected a cancel, got ${JSON.stringify(result)}`);
  const deadline = Date.now() + 1_500;
  while (Date.now() < deadline && (await processesWith(marker)).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  const survivors = await processesWith(marker);
  for (const pid of survivors) process.kill(pid, 'SIGKILL');
  return survivors.length > 0 ? 'escaped' : 'refused';
}

/** Reads and writes through `race/` while another process swaps it for a link to `outside`; escaped when one call got out. */
async function symlinkRace(context: CaseContext): Promise<Outcome> {
  const { sandbox } = context;
  const race = path.join(sandbox.workspace.root, 'race');
  await mkdir(race);
  await writeFile(path.join(race, 'secret.txt'), 'inside\n');
  const tools = createFileTools(sandbox.workspace);
  const swapper = await startSwapper(sandbox.workspace.root, sandbox.outside, 5_000_000);
  const outcomes = { inside: 0, refused: 0, escaped: 0 };
  for (let round = 0; round < 250; round++) {
    const read = () => callTool(tools.readFile, { path: 'race/secret.txt' });
    const write = () => callTool(tools.writeFile, { path: 'race/written.txt', content: 'pwned' });
    for (const result of await Promise.all([read(), write(), read(), write()])) {
      if (result.content === 'top secret\n') outcomes.escaped++;
      else outcomes[result.ok ? 'inside' : 'refused']++;
    }
  }
  const swaps = await swapper.stop();
  if (await exists(path.join(sandbox.outside, 'written.txt'))) outcomes.escaped++;
  MEASUREMENTS.push(
    `symlink race (${context.mode}): ${swaps} swaps; 1000 calls: ${outcomes.inside} inside, ${outcomes.refused} refused, ${outcomes.escaped} escaped`,
  );
  // The race must really have been run: swaps happened, and some calls were turned away mid-swap.
  if (swaps < 100 || outcomes.refused === 0 || outcomes.inside === 0) throw new Error(`race not exercised: ${swaps} swaps, ${JSON.stringify(outcomes)}`);
  return outcomes.escaped > 0 ? 'escaped' : 'refused';
}

async function hardLinkOut({ sandbox }: CaseContext): Promise<Outcome> {
  await link(path.join(sandbox.outside, 'secret.txt'), path.join(sandbox.workspace.root, 'hard.txt'));
  const tools = createFileTools(sandbox.workspace);
  const read = await callTool(tools.readFile, { path: 'hard.txt' });
  const written = await callTool(tools.writeFile, { path: 'hard.txt', content: 'pwned' });
  const outsideNow = await readFile(path.join(sandbox.outside, 'secret.txt'), 'utf8');
  if (read.ok || written.ok || outsideNow !== 'top secret\n') return 'escaped';
  return 'refused';
}

async function fifoNeverBlocks({ sandbox }: CaseContext): Promise<Outcome> {
  await new Promise((resolve, reject) =>
    spawn('mkfifo', [path.join(sandbox.workspace.root, 'pipe')])
      .on('close', resolve)
      .on('error', reject),
  );
  const tools = createFileTools(sandbox.workspace);
  // Four writes on a FIFO would take every thread of libuv's pool if they blocked; the read after them must still answer.
  const writes = Array.from({ length: 4 }, () => callTool(tools.writeFile, { path: 'pipe', content: 'x' }));
  const results = await within(2_000, 'file calls on a FIFO', Promise.all([callTool(tools.readFile, { path: 'pipe' }), ...writes]));
  const after = await within(2_000, 'a read after the FIFO calls', callTool(tools.readFile, { path: 'notes.txt' }));
  if (!after.ok) throw new Error(`the read after the FIFO calls failed: ${after.error}`);
  return results.some((result) => result.ok) ? 'escaped' : 'refused';
}

async function networkToLoopback(context: CaseContext): Promise<Outcome> {
  const server = await listenOnLoopback();
  try {
    const script = `import socket; socket.create_connection(('127.0.0.1', ${server.port}), timeout=2).recv(16)`;
    const result = await callTool(commandTool(context), { command: 'python3', args: ['-c', script] });
    return server.connections() > 0 ? 'escaped' : result.ok ? 'harmless' : 'refused';
  } finally {
    await server.close();
  }
}

async function killAnotherProcess(context: CaseContext): Promise<Outcome> {
  const decoy = spawn('sleep', ['30'], { stdio: 'ignore' });
  const died = new Promise<boolean>((resolve) => decoy.on('exit', () => resolve(true)));
  const result = await callTool(commandTool(context), { command: 'kill', args: ['-9', String(decoy.pid)] });
  const killed = await Promise.race([died, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300))]);
  decoy.kill('SIGKILL');
  return killed ? 'escaped' : result.ok ? 'harmless' : 'refused';
}

async function gitConfigHook(context: CaseContext): Promise<Outcome> {
  const { sandbox } = context;
  const pwned = path.join(sandbox.outside, 'pwned-by-git');
  const files = createFileTools(sandbox.workspace);
  await callTool(files.writeFile, { path: '.gitconfig', content: `[core]\n\tfsmonitor = "echo ran > hook-ran; touch ${pwned} #"\n` });
  const git = commandTool(context);
  await callTool(git, { command: 'git', args: ['init', '-q'] });
  await callTool(git, { command: 'git', args: ['status'] });
  if (await exists(pwned)) return 'escaped';
  // The hook did run (a fair test), confined to the workspace.
  return (await exists(path.join(sandbox.workspace.root, 'hook-ran'))) ? 'harmless' : 'refused';
}

/** One harness run per mode serves both environ cases (it takes a second or two to start). */
const harnessRuns = new Map<TestedMode, ReturnType<typeof runParentHarness>>();

const parentEnviron =
  (which: 0 | 1) =>
  async ({ sandbox, mode }: CaseContext): Promise<Outcome> => {
    if (!harnessRuns.has(mode)) harnessRuns.set(mode, runParentHarness(mode, sandbox.workspace.root, SECRET_VALUE));
    const result = (await harnessRuns.get(mode)!)[which];
    if (`${result.stdout}${result.stderr}`.includes(SECRET_VALUE)) return 'escaped';
    return result.ok ? 'harmless' : 'refused';
  };

/** The catalogue: each hostile input with the outcome it must have with bubblewrap and without. */
export const HOSTILE_CASES: HostileCase[] = [
  { name: 'cat /proc/<parent pid>/environ', expected: { required: 'refused', off: 'escaped' }, attempt: parentEnviron(0) },
  { name: 'grep every /proc/*/environ for the secret', expected: { required: 'harmless', off: 'escaped' }, attempt: parentEnviron(1) },
  {
    name: 'a setsid() grandchild outliving its cancelled command',
    expected: { required: 'refused', off: 'refused' },
    attempt: (context) => setsidDaemon(context, false),
  },
  {
    name: 'a setsid() grandchild with a cleared environment',
    expected: { required: 'refused', off: 'escaped' },
    attempt: (context) => setsidDaemon(context, true),
  },
  { name: 'a TCP connection to a loopback port', expected: { required: 'refused', off: 'escaped' }, attempt: networkToLoopback },
  { name: 'kill -9 a process of the host', expected: { required: 'refused', off: 'escaped' }, attempt: killAnotherProcess },
  {
    name: 'a command writing outside the workspace',
    expected: { required: 'refused', off: 'escaped' },
    attempt: (context) =>
      shellAttempt(context, `echo pwned > ${context.sandbox.outside}/pwned.txt`, () => exists(path.join(context.sandbox.outside, 'pwned.txt'))),
  },
  {
    name: 'a command recreating the outside folder first',
    expected: { required: 'harmless', off: 'escaped' },
    attempt: (context) =>
      shellAttempt(context, `mkdir -p ${context.sandbox.outside} && echo pwned > ${context.sandbox.outside}/pwned.txt`, () =>
        exists(path.join(context.sandbox.outside, 'pwned.txt')),
      ),
  },
  {
    name: 'a command reading a file outside the workspace',
    expected: { required: 'refused', off: 'escaped' },
    attempt: (context) => shellAttempt(context, `cat ${context.sandbox.outside}/secret.txt`, (result) => result.stdout.includes('top secret')),
  },
  {
    name: 'a command reading /etc/shadow',
    expected: { required: 'refused', off: isRoot ? 'escaped' : 'refused' },
    attempt: (context) => shellAttempt(context, 'cat /etc/shadow', (result) => result.stdout.includes('root:')),
  },
  {
    name: 'a command writing into /usr',
    expected: { required: 'refused' },
    attempt: (context) => shellAttempt(context, `touch /usr/pwned-${process.pid}`, () => exists(`/usr/pwned-${process.pid}`)),
  },
  {
    name: 'a command remounting /usr read-write',
    expected: { required: 'refused' },
    attempt: (context) => shellAttempt(context, 'mount -o remount,rw /usr && touch /usr/pwned-remount', () => exists('/usr/pwned-remount')),
  },
  { name: '.gitconfig with a core.fsmonitor hook, then git status', expected: { required: 'harmless', off: 'escaped' }, attempt: gitConfigHook },
  { name: 'a directory swapped for a symlink during readFile/writeFile', expected: { required: 'refused', off: 'refused' }, attempt: symlinkRace },
  { name: 'a hard link to a file outside', expected: { required: 'refused', off: 'refused' }, attempt: hardLinkOut },
  { name: 'a FIFO given to readFile and writeFile', expected: { required: 'refused', off: 'refused' }, attempt: fifoNeverBlocks },
];
