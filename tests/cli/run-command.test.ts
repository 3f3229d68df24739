import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalise, runCli, runMain, spawnCli } from './helpers/run-cli.ts';
import { GREETING, PLAN, step, succeed } from './helpers/greeting.ts';
import { startLoopbackModel, type LoopbackModel, type LoopbackScript } from './helpers/loopback-model.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

const PLAIN_PROGRESS = `executor tools: readFile, writeFile, listFiles in <workspace>
run <id>: Greet me
  plan (2 steps): Greet the user twice
    - hello: Say hello
    - wave: Wave (after hello)
`;

let model: LoopbackModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  removeTempDirs();
});

/**
 * Runs `run "Greet me" …args` in a fresh workspace against a loopback model answering `script`,
 * stdin `input`; stdout normalised. In this process unless `spawned` (the spawned CLI keeps the
 * first test, an approval read from a real stdin, Ctrl-C and a missing model).
 */
async function runAgainst(script: LoopbackScript, args: string[], options: { input?: string; env?: Record<string, string>; spawned?: boolean } = {}) {
  model = await startLoopbackModel(script);
  const workspace = realpathSync(makeTempDir('plan-execute-run-workspace-'));
  const argv = ['run', 'Greet me', '--workspace', workspace, ...args];
  const env = { OPENAI_BASE_URL: model.baseUrl, ...options.env };
  const outcome = options.spawned ? await runCli(argv, { input: options.input, env }) : await runMain(argv, { env, input: options.input });
  return { ...outcome, stdout: normalise(outcome.stdout, workspace) };
}

/** An $EDITOR: a script that drops the step `wave` from the plan file it is given. */
function dropWaveEditor(): string {
  const file = join(makeTempDir('plan-execute-editor-'), 'drop-wave.mjs');
  writeFileSync(
    file,
    `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv.at(-1);
const plan = JSON.parse(readFileSync(file, 'utf8'));
plan.steps = plan.steps.filter((step) => step.id !== 'wave');
writeFileSync(file, JSON.stringify(plan, null, 2));
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe('plan-execute run', { timeout: 60_000 }, () => {
  it('prints one line per event and the result when stdout is piped, and exits 0 when the run completes', async () => {
    const { code, stdout, stderr } = await runAgainst(GREETING, [], { spawned: true });
    expect(stderr).toBe('');
    expect(stdout).toBe(`${PLAIN_PROGRESS}  > hello started
  [x] hello: Hello!
  > wave started
  [x] wave: *waves*
  synthesis done
run completed

status: completed
final plan:
  [x] hello: Say hello
  [x] wave: Wave
answer: Hello! *waves*
tokens: 60 (planner 15, executor 30, synthesizer 15); 2 step attempts in <n> ms
`);
    expect(code).toBe(0);
  });

  it('--json prints only the PlanRunResult', async () => {
    const { code, stdout, stderr } = await runAgainst(GREETING, ['--json']);
    const result = JSON.parse(stdout);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(result.status).toBe('completed');
    expect(result.task).toBe('Greet me');
    expect(result.plan.map((tracked: { id: string; status: string }) => [tracked.id, tracked.status])).toEqual([
      ['hello', 'done'],
      ['wave', 'done'],
    ]);
    expect(result.finalOutput).toBe('Hello! *waves*');
  });

  it('reads the model variables from ./.env when the environment has none', async () => {
    model = await startLoopbackModel(GREETING);
    const cwd = makeTempDir('plan-execute-dotenv-');
    writeFileSync(join(cwd, '.env'), `OPENAI_API_KEY=\nOPENAI_BASE_URL=${model.baseUrl}\n`);
    const { code, stdout } = await runMain(['run', 'Greet me', '--json'], { cwd });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).status).toBe('completed');
  });

  it('redacts a key read from ./.env wherever the run writes it (here a step that echoes it)', async () => {
    const key = 'sk-dotenv-0123456789abcdef';
    model = await startLoopbackModel({
      ...GREETING,
      executor: [succeed(`Hello! The key is ${key}`), succeed('*waves*')],
      synthesizer: [{ text: `Done with ${key}` }],
    });
    const cwd = makeTempDir('plan-execute-dotenv-secret-');
    writeFileSync(join(cwd, '.env'), `OPENAI_API_KEY=${key}\nOPENAI_BASE_URL=${model.baseUrl}\n`);
    const { code, stdout } = await runMain(['run', 'Greet me', '--json'], { cwd });
    expect(code).toBe(0);
    expect(stdout).not.toContain(key);
    const result = JSON.parse(stdout);
    expect([result.plan[0].output, result.finalOutput]).toEqual(['Hello! The key is [REDACTED]', 'Done with [REDACTED]']);
  });

  it('works in ./workspace, created when missing, without --workspace', async () => {
    model = await startLoopbackModel(GREETING);
    const cwd = realpathSync(makeTempDir('plan-execute-default-workspace-'));
    const { code, stdout } = await runMain(['run', 'Greet me'], { cwd, env: { OPENAI_BASE_URL: model.baseUrl } });
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`executor tools: readFile, writeFile, listFiles in ${cwd}/workspace`);
    expect(realpathSync(join(cwd, 'workspace'))).toBe(join(cwd, 'workspace'));
  });

  it('without a model configured, says which variables to set and exits 78', async () => {
    const outcome = await runCli(['run', 'Greet me']);
    expect(outcome).toEqual({
      code: 78,
      signal: null,
      stdout: '',
      stderr:
        'plan-execute run: No model configured for the planner: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).\n' +
        'Set one of them in the environment or in ./.env (see .env.example).\n',
    });
  });

  it('--max-tokens sets the token budget: once spent, the run is aborted and exits 2', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--max-tokens', '10', '--json']);
    const result = JSON.parse(stdout);
    expect(code).toBe(2);
    expect([result.status, result.error.code, result.error.message]).toEqual(['aborted', 'BUDGET_EXCEEDED', 'Token budget spent: 15 of 10 tokens used']);
    expect(model?.requests).toEqual(['planner']);
  });

  it('--plan-cache <file> reuses the plan of the first run: the second run asks no planner', async () => {
    const cacheFile = join(makeTempDir('plan-execute-plan-cache-'), 'plans.db');
    const twice = (answers: LoopbackScript[keyof LoopbackScript]) => [...(answers ?? []), ...(answers ?? [])];
    const script = { ...GREETING, executor: twice(GREETING.executor), synthesizer: twice(GREETING.synthesizer) };
    model = await startLoopbackModel(script);
    const workspace = realpathSync(makeTempDir('plan-execute-run-workspace-'));
    const args = ['run', 'Greet me', '--workspace', workspace, '--plan-cache', cacheFile, '--json'];

    const first = await runMain(args, { env: { OPENAI_BASE_URL: model.baseUrl } });
    const second = await runMain(args, { env: { OPENAI_BASE_URL: model.baseUrl } });

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(model.requests).toEqual(['planner', 'executor', 'executor', 'synthesizer', 'executor', 'executor', 'synthesizer']);
    expect(JSON.parse(second.stdout).initialPlan).toEqual(JSON.parse(first.stdout).initialPlan);
  });

  it('--max-replans 0 ends the run failed at the first failed step, and exits 1', async () => {
    const script = { ...GREETING, executor: [{ json: { success: false, output: '', error: 'no one to greet' } }] };
    const { code, stdout } = await runAgainst(script, ['--max-replans', '0', '--json']);
    const result = JSON.parse(stdout);
    expect(code).toBe(1);
    expect([result.status, result.error.code]).toEqual(['failed', 'STEP_FAILED']);
    expect(model?.requests).toEqual(['planner', 'executor']);
  });

  it.each([
    [['--concurrency', '1'], 1],
    [[], 2],
  ])('%j runs independent steps at most that many at once', async (args, expected) => {
    const parallel = { ...PLAN, steps: [step('left', 'Say left'), step('right', 'Say right')] };
    const script = { ...GREETING, planner: [{ json: parallel }], executor: [succeed('done', 400)] };
    const { code } = await runAgainst(script, [...args, '--json']);
    expect(code).toBe(0);
    expect(model?.maxExecutorsInFlight()).toBe(expected);
  });

  it('cancels the run on Ctrl-C (SIGINT), prints the partial result and exits 130', async () => {
    model = await startLoopbackModel({ ...GREETING, executor: ['hang'] });
    const cwd = realpathSync(makeTempDir('plan-execute-interrupt-'));
    const child = spawnCli(['run', 'Greet me'], { cwd, env: { OPENAI_BASE_URL: model.baseUrl } });
    let stdout = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    await model.waitFor('executor');
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(130);
    expect(normalise(stdout, join(cwd, 'workspace'))).toBe(`${PLAIN_PROGRESS}  > hello started
run cancelled: The run was cancelled

status: cancelled
final plan:
  [ ] hello: Say hello
  [ ] wave: Wave
answer: 
tokens: 15 (planner 15, executor 0, synthesizer 0); 1 step attempt in <n> ms
`);
  });
});

describe('plan-execute run --approve', { timeout: 60_000 }, () => {
  const prompt = (answer: string) => `Plan (2 steps): Greet the user twice
    - hello: Say hello
    - wave: Wave (after hello)
Run this plan? [y]es, [n]o, [e]dit: ${answer}
`;

  it('shows the plan and runs it after y', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--approve'], { input: 'y\n', spawned: true });
    expect(code).toBe(0);
    expect(stdout).toContain(`${PLAIN_PROGRESS}${prompt('y')}  plan approved\n  > hello started\n`);
  });

  it('rejects the plan after n: nothing runs and it exits 2', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--approve'], { input: 'n\n' });
    expect(code).toBe(2);
    expect(stdout).toContain(`${PLAIN_PROGRESS}${prompt('n')}  plan rejected at approval\nrun rejected: The plan was rejected before execution\n`);
    expect(model?.requests).toEqual(['planner']);
  });

  it('rejects the plan when the input ends without an answer', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--approve'], { input: '' });
    expect(code).toBe(2);
    expect(stdout).toContain(`${prompt('')}No answer (the input ended): the plan is rejected.\n`);
  });

  it('after e, opens the plan in $EDITOR, shows the edited plan, and runs it after y', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--approve', '--json'], { input: 'e\ny\n', env: { EDITOR: dropWaveEditor() } });
    const result = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(result.plan.map((tracked: { id: string }) => tracked.id)).toEqual(['hello']);
    expect(result.revisions.map((revision: { kind: string; reason: string }) => [revision.kind, revision.reason])).toEqual([
      ['edit', 'Plan edited at approval'],
    ]);
    expect(model?.requests).toEqual(['planner', 'executor', 'synthesizer']);
  });

  it('with --json, asks on stderr so that stdout stays JSON', async () => {
    const { code, stdout, stderr } = await runAgainst(GREETING, ['--approve', '--json'], { input: 'e\ny\n', env: { EDITOR: dropWaveEditor() } });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).status).toBe('completed');
    expect(stderr).toBe(`${prompt('e')}Plan (1 step): Greet the user twice
    - hello: Say hello
Run this plan? [y]es, [n]o, [e]dit: y
`);
  });
});
