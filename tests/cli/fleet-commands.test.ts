/**
 * The fleet commands end to end on one throwaway PostgreSQL: one `plan-execute worker` child
 * process (the database URL in PLAN_EXECUTE_DB, never on its command line) on the OpenAI stand-in,
 * and `submit`, `status`, `approve` (and a second, model-less worker) driven in-process through main().
 */
import type { ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { APPROVE_USAGE, STATUS_USAGE, SUBMIT_USAGE, WORKER_USAGE } from '../../src/cli/usage.ts';
import { OFFLINE_SUMMARY } from '../../src/examples/adoption-report/index.ts';
import { SCAFFOLD_PLAN, SCAFFOLD_REVISION } from '../../src/examples/python-scaffold/scripted-roles.ts';
import { createFleetAgents } from '../../src/cli/fleet-agents.ts';
import { jsonReply, type OpenAIStub, type RecordedRequest, startOpenAIStub, textReply, toolCallReply } from '../helpers/openai-stub-server.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { spawnCli } from './helpers/run-cli.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

const PLAN = {
  goal: 'Greet the user twice',
  rationale: null,
  steps: [
    { id: 'hello', description: 'Say hello', expectedOutput: 'hello done', dependsOn: [], toolHint: null },
    { id: 'wave', description: 'Wave', expectedOutput: 'wave done', dependsOn: ['hello'], toolHint: null },
  ],
};
const OUTPUTS: Record<string, string> = { hello: 'Hello!', wave: '*waves*' };

const textOf = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content ?? ''));

/** The stand-in's answers, read from the prompt (runs interleave): the plan, each step's outcome (the final-answer tool), the synthesis. */
function greetingModel(request: RecordedRequest) {
  const prompt = textOf(request.body.messages?.find((message) => message.role === 'user')?.content);
  if (prompt.startsWith('Write the final answer')) return textReply('Hello! *waves*');
  if (!prompt.startsWith('Task (context only)')) return jsonReply(PLAN);
  const stepId = /Your step \(([\w-]+)\)/.exec(prompt)?.[1] ?? '';
  return toolCallReply('report_step_outcome', { success: true, output: OUTPUTS[stepId] ?? `no step ${stepId}`, error: null });
}

let cluster: PostgresCluster;
let stub: OpenAIStub;
let worker: ChildProcess;
let password: string;
const child = { stdout: '', stderr: '', exited: Promise.resolve<number | null>(null) };
/** How long a test waits for a state of a run, looking every 100 ms. */
const POLL_TIMEOUT_MS = 20_000;
/** Everything any command printed, searched for the password at the end. */
const printed: string[] = [];

/** `plan-execute …args --db <url>` in-process; its exit code and output. */
async function cli(args: readonly string[], { db = cluster.connectionString, env = {} }: { db?: string | null; env?: NodeJS.ProcessEnv } = {}) {
  const { io, output } = memoryIo({ env });
  const code = await main(db === null ? args : [...args, '--db', db], io);
  printed.push(output.stdout, output.stderr);
  return { code, ...output };
}

/** `status <runId> --json`, parsed; undefined while the run is not submitted yet (a `submit` running beside). */
async function status(runId: string) {
  const { code, stdout, stderr } = await cli(['status', runId, '--json']);
  if (code === 64 && stderr === `plan-execute status: No run with id "${runId}" was submitted\n`) return undefined;
  expect([code, stderr]).toEqual([0, '']);
  return JSON.parse(stdout);
}

const stateIs = (runId: string, state: string) => () => status(runId).then((run) => (run?.state === state ? run : undefined));

beforeAll(async () => {
  [cluster, stub] = await Promise.all([startPostgres(), startOpenAIStub(greetingModel, { maxRequests: 1000 })]);
  password = new URL(cluster.connectionString).password;
  const workspace = realpathSync(makeTempDir('plan-execute-fleet-worker-'));
  // One worker, so its workspace is every worker's: --shared-workspace lets step mode put the steps on the queue.
  worker = spawnCli(['worker', '--workspace', workspace, '--shared-workspace'], {
    env: { PLAN_EXECUTE_DB: cluster.connectionString, OPENAI_BASE_URL: `${stub.url}/v1` },
  });
  worker.stdout?.on('data', (chunk) => (child.stdout += chunk));
  worker.stderr?.on('data', (chunk) => (child.stderr += chunk));
  child.exited = new Promise((resolve) => worker.once('exit', (code) => resolve(code)));
  await until('the worker to be ready', () => (child.stdout.includes(' ready: ') ? true : undefined), 45_000, 100);
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await stub?.close();
  await cluster?.stop();
  removeTempDirs();
});

describe('fleet commands: usage errors', () => {
  const usageError = (command: string, message: string, usageLine: string) =>
    `plan-execute ${command}: ${message}\n${usageLine}\nRun 'plan-execute ${command} --help' for more.\n`;
  const SUBMIT = 'Usage: plan-execute submit "<task>" --db <url> [options]';
  const STATUS = 'Usage: plan-execute status <runId> --db <url> [options]';
  const APPROVE = 'Usage: plan-execute approve <runId> --db <url> [--reject]';
  const WORKER = 'Usage: plan-execute worker --db <url> [options]';
  const BAD_URL = 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database';

  it.each([
    [['submit', 'Greet me'], null, {}, usageError('submit', "missing --db (or PLAN_EXECUTE_DB): the fleet's PostgreSQL URL", SUBMIT)],
    [['worker'], null, {}, usageError('worker', "missing --db (or PLAN_EXECUTE_DB): the fleet's PostgreSQL URL", WORKER)],
    [['status', 'r1'], 'mysql://root:hunter2-long@db/app', {}, usageError('status', `--db ${BAD_URL}`, STATUS)],
    [['status', 'r1'], null, { PLAN_EXECUTE_DB: 'not a url' }, usageError('status', `PLAN_EXECUTE_DB ${BAD_URL}`, STATUS)],
    [['status'], undefined, {}, usageError('status', 'missing the run id', STATUS)],
    [['approve', 'r1', '--force'], undefined, {}, usageError('approve', "unknown option '--force'", APPROVE)],
    [
      ['submit', 'Greet me', '--agent', 'Default'],
      undefined,
      {},
      usageError('submit', '--agent must be lower-case letters, digits and hyphens (at most 40), got "Default"', SUBMIT),
    ],
    [['submit', 'Greet me', '--run-id='], undefined, {}, usageError('submit', '--run-id must not be empty', SUBMIT)],
    [['worker', '--concurrency', '0'], undefined, {}, usageError('worker', '--concurrency must be an integer from 1 and up, got "0"', WORKER)],
    [['worker', 'now'], undefined, {}, usageError('worker', 'unexpected argument "now"', WORKER)],
  ])('%j (db %s, env %j) exits 64 with the problem and the usage line', async (args, db, env, stderr) => {
    expect(await cli(args, { ...(db === undefined ? {} : { db }), env })).toEqual({ code: 64, stdout: '', stderr });
  });

  it.each([
    ['worker', WORKER_USAGE],
    ['submit', SUBMIT_USAGE],
    ['status', STATUS_USAGE],
    ['approve', APPROVE_USAGE],
  ])('%s --help prints its usage and exits 0', async (command, usage) => {
    expect(await cli([command, '--help'], { db: null })).toEqual({ code: 0, stdout: `${usage}\n`, stderr: '' });
  });

  it('says it cannot use the database, without the password, and exits 69 when the password is wrong', async () => {
    const url = new URL(cluster.connectionString);
    url.password = 'wrong-password-0123';
    const outcome = await cli(['status', 'r1'], { db: url.href });
    expect(outcome).toEqual({
      code: 69,
      stdout: '',
      stderr: `plan-execute status: cannot use the fleet's database at postgres://postgres:[REDACTED]@${url.host}/postgres: password authentication failed for user "postgres"\n`,
    });
  });
});

describe('fleet commands against a worker process', { timeout: 60_000 }, () => {
  it('submit prints the run id; status --json shows the run completed, with its steps and answer', async () => {
    expect(await cli(['submit', 'Greet me', '--run-id', 'greet-1'])).toEqual({ code: 0, stdout: 'greet-1\n', stderr: '' });
    const run = await until('greet-1 to complete', stateIs('greet-1', 'completed'), POLL_TIMEOUT_MS, 100);
    expect({ ...run, plan: null, result: null }).toEqual({
      runId: 'greet-1',
      agent: 'default',
      task: 'Greet me',
      state: 'completed',
      steps: [
        { id: 'hello', status: 'done' },
        { id: 'wave', status: 'done' },
      ],
      plan: null,
      result: null,
    });
    expect([
      run.plan.goal,
      run.plan.steps.map((step: { id: string; description: string; dependsOn: string[] }) => [step.id, step.description, step.dependsOn]),
    ]).toEqual([
      PLAN.goal,
      [
        ['hello', 'Say hello', []],
        ['wave', 'Wave', ['hello']],
      ],
    ]);
    expect([run.result.status, run.result.finalOutput, run.result.usage.totalTokens]).toEqual(['completed', 'Hello! *waves*', 60]);
    const plain = await cli(['status', 'greet-1']);
    expect(plain.stdout.replace(/in \d+ ms/, 'in <n> ms')).toBe(
      'run greet-1 (agent default): completed\ntask: Greet me\n\nstatus: completed\nfinal plan:\n  [x] hello: Say hello\n  [x] wave: Wave\n' +
        'answer: Hello! *waves*\ntokens: 60 (planner 15, executor 30, synthesizer 15); 2 step attempts in <n> ms\n',
    );
  });

  it('refuses a second submit of a run id, and a status or verdict for a run never submitted (exit 64)', async () => {
    expect(await cli(['submit', 'Greet me', '--run-id', 'greet-1'])).toEqual({
      code: 64,
      stdout: '',
      stderr: 'plan-execute submit: A run with id "greet-1" was already submitted\n',
    });
    expect(await cli(['status', 'nope'])).toEqual({ code: 64, stdout: '', stderr: 'plan-execute status: No run with id "nope" was submitted\n' });
    expect(await cli(['approve', 'nope'])).toEqual({ code: 64, stdout: '', stderr: 'plan-execute approve: No run with id "nope" was submitted\n' });
  });

  it('submit --approve waits for approval holding no worker; approve carries the run on to completed', async () => {
    expect((await cli(['submit', 'Greet me', '--approve', '--run-id', 'greet-2'])).code).toBe(0);
    const waiting = await until('greet-2 to wait for approval', stateIs('greet-2', 'awaiting-approval'), POLL_TIMEOUT_MS, 100);
    expect([waiting.steps, waiting.result]).toEqual([
      [
        { id: 'hello', status: 'pending' },
        { id: 'wave', status: 'pending' },
      ],
      null,
    ]);
    // What the approver approves: each step, what it does and what it waits for.
    expect((await cli(['status', 'greet-2'])).stdout).toBe(
      'run greet-2 (agent default): awaiting-approval\ntask: Greet me\nplan: Greet the user twice\n  hello: Say hello\n  wave: Wave (after hello)\n',
    );
    expect(await cli(['approve', 'greet-2'])).toEqual({ code: 0, stdout: 'run greet-2: plan approved; a worker carries the run on\n', stderr: '' });
    const run = await until('greet-2 to complete', stateIs('greet-2', 'completed'), POLL_TIMEOUT_MS, 100);
    expect([run.result.status, run.result.finalOutput]).toEqual(['completed', 'Hello! *waves*']);
    expect(await cli(['approve', 'greet-2'])).toEqual({
      code: 64,
      stdout: '',
      stderr: 'plan-execute approve: Run "greet-2" does not wait for approval (state: completed)\n',
    });
  });

  it('submit --wait --json follows the run until approve --reject ends it, and exits 2 as run does', async () => {
    const submitted = cli(['submit', 'Greet me', '--approve', '--wait', '--json', '--run-id', 'greet-3']);
    await until('greet-3 to wait for approval', stateIs('greet-3', 'awaiting-approval'), POLL_TIMEOUT_MS, 100);
    expect(await cli(['approve', 'greet-3', '--reject'])).toEqual({ code: 0, stdout: 'run greet-3: plan rejected; a worker ends the run\n', stderr: '' });
    const { code, stdout, stderr } = await submitted;
    expect([code, stderr, JSON.parse(stdout).status, JSON.parse(stdout).task]).toEqual([2, '', 'rejected', 'Greet me']);
  });

  it('submit --wait stops waiting on Ctrl-C with 130; the run goes on', async () => {
    const { io, output } = memoryIo();
    const waiting = main(['submit', 'Greet me', '--approve', '--wait', '--run-id', 'greet-4', '--db', cluster.connectionString], io);
    await until('greet-4 to wait for approval', () => (output.stdout.includes('awaiting-approval') ? true : undefined), POLL_TIMEOUT_MS, 100);
    (io.signals as unknown as NodeJS.EventEmitter).emit('SIGINT');
    expect(await waiting).toBe(130);
    printed.push(output.stdout, output.stderr);
    const lines = output.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('run greet-4: awaiting-approval (give the verdict: plan-execute approve greet-4 [--reject])');
    // The states the poll catches before the plan waits depend on timing: queued and running may show, in that order, once each.
    expect(['run greet-4: queued', 'run greet-4: running'].filter((line) => lines.includes(line))).toEqual(lines.slice(0, -1));
    expect(output.stderr).toBe('plan-execute submit: stopped waiting; the run goes on (plan-execute status greet-4)\n');
    expect((await status('greet-4')).state).toBe('awaiting-approval');
  });

  it('runs the adoption-report example as agent `adoption-report`, in step mode', async () => {
    const { code, stdout } = await cli(['submit', 'Write the adoption report', '--agent', 'adoption-report', '--steps', '--wait', '--json']);
    const result = JSON.parse(stdout);
    expect([code, result.status, result.finalOutput, result.plan.length]).toEqual([0, 'completed', OFFLINE_SUMMARY, 7]);
  });

  it('runs adoption-report again: each run gets scripted models of its own', async () => {
    const { code, stdout } = await cli(['submit', 'Write it again', '--agent', 'adoption-report', '--wait', '--json']);
    expect([code, JSON.parse(stdout).status, JSON.parse(stdout).finalOutput]).toEqual([0, 'completed', OFFLINE_SUMMARY]);
  });

  it('stops on SIGTERM: finishes, logs one line per job and "stopped", exits 0', async () => {
    worker.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const lines = child.stdout.trimEnd().split('\n');
    const jobs = lines.map((line) => line.replace(/^\S+ worker \S+ /, '').replace(/ in \d+ ms$/, ''));
    expect(jobs[0]).toBe('ready: agents default, adoption-report, python-scaffold; runs 2, steps 4 at once per agent');
    expect(jobs.filter((line) => line.startsWith('default run '))).toEqual([
      'default run greet-1 start → completed',
      'default run greet-2 start → awaiting-approval',
      'default run greet-2 verdict → completed',
      'default run greet-3 start → awaiting-approval',
      'default run greet-3 verdict → rejected',
      'default run greet-4 start → awaiting-approval',
    ]);
    expect(jobs.filter((line) => line.startsWith('adoption-report run ')).length).toBe(2);
    expect(jobs.filter((line) => line.startsWith('adoption-report step ')).length).toBe(7);
    expect(jobs.at(-1)).toBe('stopped');
    expect(child.stderr).toContain('plan-execute worker: SIGTERM: stopping; running jobs get up to 30 s to finish');
  });
});

describe('a worker without a model', { timeout: 60_000 }, () => {
  it('registers the examples but not `default`, says so on stderr, and stops on SIGTERM with exit 0', async () => {
    const workspace = makeTempDir('plan-execute-fleet-no-model-');
    const { io, output } = memoryIo();
    const working = main(['worker', '--db', cluster.connectionString, '--workspace', workspace], io);
    await until('the in-process worker to be ready', () => (output.stdout.includes(' ready: ') ? true : undefined), 30_000, 100);
    (io.signals as unknown as NodeJS.EventEmitter).emit('SIGTERM');
    expect(await working).toBe(0);
    printed.push(output.stdout, output.stderr);
    expect(output.stdout).toMatch(/ ready: agents adoption-report, python-scaffold; runs 2, steps 4 at once per agent\n.* stopped\n$/);
    expect(output.stderr.split('\n')[0]).toBe(
      'plan-execute worker: no model configured (set OPENAI_API_KEY or OPENAI_BASE_URL in the environment or ./.env): the `default` agent is not registered',
    );
  });

  it('never printed the database password, in any command or the worker process', () => {
    expect(printed.length).toBeGreaterThan(20);
    for (const text of [...printed, child.stdout, child.stderr]) expect(text).not.toContain(password);
  });
});

describe('the python-scaffold agent', () => {
  it('answers what its planner is asked: a run continued by another job (after approval) gets the revision first', async () => {
    const { agents } = await createFleetAgents({
      env: {},
      workspaceDir: makeTempDir('plan-execute-fleet-agents-'),
      allowedCommands: [],
      redact: [],
      usage: '',
    });
    const abortSignal = new AbortController().signal;
    const [install, ...rest] = SCAFFOLD_PLAN.steps.slice(3);
    const continued = await agents['python-scaffold']!.runRoles();
    const decision = await continued.planner.replan({
      ...{ task: 'Scaffold', goal: SCAFFOLD_PLAN.goal, tools: continued.tools, completed: [], failedStep: install!, error: 'pip failed' },
      ...{ remaining: rest, otherFailures: [], maxPlanSteps: 10, feedback: [], abortSignal },
    });
    const started = await agents['python-scaffold']!.runRoles();
    const plan = await started.planner.plan({ task: 'Scaffold', tools: started.tools, maxPlanSteps: 10, feedback: [], abortSignal });
    expect([decision.value, plan.value]).toEqual([SCAFFOLD_REVISION, SCAFFOLD_PLAN]);
  });
});
