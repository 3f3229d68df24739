import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GREETING } from './helpers/greeting.ts';
import { startLoopbackModel, type LoopbackModel, type LoopbackScript } from './helpers/loopback-model.ts';
import { normalise, runCli } from './helpers/run-cli.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

/**
 * The structured-output modes `auto` picks for each role against an OpenAI-compatible server
 * (OPENAI_BASE_URL), as `model-called` reports them and --verbose prints them.
 */
const EXPECTED_MODE = { planner: 'prompt', executor: 'tool', synthesizer: 'text' } as const;

let model: LoopbackModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  removeTempDirs();
});

/** Runs `run "Greet me" …args` in a fresh workspace against a loopback model answering `script`; stdout normalised. */
async function runAgainst(script: LoopbackScript, args: string[]) {
  model = await startLoopbackModel(script);
  const workspace = realpathSync(makeTempDir('plan-execute-run-verbose-'));
  const outcome = await runCli(['run', 'Greet me', '--workspace', workspace, ...args], { env: { OPENAI_BASE_URL: model.baseUrl } });
  return { ...outcome, stdout: normalise(outcome.stdout, workspace) };
}

describe('plan-execute run --verbose', { timeout: 60_000 }, () => {
  it('prints a line per model call in the progress', async () => {
    const { code, stdout } = await runAgainst(GREETING, ['--verbose']);
    expect(code).toBe(0);
    expect(stdout).toBe(`executor tools: readFile, writeFile, listFiles in <workspace>
run <id>: Greet me
  model call: planner, mode ${EXPECTED_MODE.planner}, 15 tokens (10 in, 5 out) in <n> ms
  plan (2 steps): Greet the user twice
    - hello: Say hello
    - wave: Wave (after hello)
  > hello started
  model call: executor (step hello), mode ${EXPECTED_MODE.executor}, 15 tokens (10 in, 5 out) in <n> ms
  [x] hello: Hello!
  > wave started
  model call: executor (step wave), mode ${EXPECTED_MODE.executor}, 15 tokens (10 in, 5 out) in <n> ms
  [x] wave: *waves*
  model call: synthesizer, mode ${EXPECTED_MODE.synthesizer}, 15 tokens (10 in, 5 out) in <n> ms
  synthesis done
run completed

status: completed
final plan:
  [x] hello: Say hello
  [x] wave: Wave
answer: Hello! *waves*
tokens: 60 (planner 15, executor 30, synthesizer 15); 2 step attempts in <n> ms
`);
  });

  it('with --json, keeps stdout one JSON document and prints the model calls on stderr', async () => {
    const { code, stdout, stderr } = await runAgainst(GREETING, ['--verbose', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).status).toBe('completed');
    expect(stderr.replace(/\d+ ms/g, '<n> ms').split('\n')).toEqual([
      `  model call: planner, mode ${EXPECTED_MODE.planner}, 15 tokens (10 in, 5 out) in <n> ms`,
      `  model call: executor (step hello), mode ${EXPECTED_MODE.executor}, 15 tokens (10 in, 5 out) in <n> ms`,
      `  model call: executor (step wave), mode ${EXPECTED_MODE.executor}, 15 tokens (10 in, 5 out) in <n> ms`,
      `  model call: synthesizer, mode ${EXPECTED_MODE.synthesizer}, 15 tokens (10 in, 5 out) in <n> ms`,
      '',
    ]);
  });
});
