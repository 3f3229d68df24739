import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_TOOL_NAME } from '../../src/agents/report-tool.ts';
import { normalise, runCli, runMain } from './helpers/run-cli.ts';
import { startLoopbackModel, type LoopbackModel, type LoopbackRequest, type LoopbackScript } from './helpers/loopback-model.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

const WRITE_AND_LIST = {
  goal: 'Write hello.txt, then list the workspace',
  rationale: null,
  steps: [
    { id: 'write', description: 'Write hello.txt', expectedOutput: 'hello.txt written', dependsOn: [], toolHint: 'writeFile' },
    { id: 'list', description: 'List the workspace with ls', expectedOutput: 'the file names', dependsOn: ['write'], toolHint: 'runCommand' },
  ],
};
const outcome = (output: string) => ({ json: { success: true, output, error: null } });
/** The executor calls writeFile, then answers; then runs `ls`, then answers with what it printed. */
const SCRIPT: LoopbackScript = {
  planner: [{ json: WRITE_AND_LIST }],
  executor: [
    { toolCall: { name: 'writeFile', args: { path: 'hello.txt', content: 'Hello from the executor\n' } } },
    outcome('wrote hello.txt'),
    { toolCall: { name: 'runCommand', args: { command: 'ls', args: [] } } },
    outcome('hello.txt'),
  ],
  synthesizer: [{ text: 'hello.txt is in the workspace.' }],
};

let model: LoopbackModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  removeTempDirs();
});

const promptOf = (request: LoopbackRequest) => JSON.stringify(request.body.messages.filter((message) => message.role === 'user'));
/** The executor's tools offered in `request`, less the final-answer tool of `tool` mode (the agents' own). */
const toolNamesOf = (request: LoopbackRequest) =>
  (request.body.tools ?? [])
    .map((tool) => tool.function.name)
    .filter((name) => name !== REPORT_TOOL_NAME)
    .sort();

describe('plan-execute run with the workspace tools', { timeout: 60_000 }, () => {
  it('--workspace <dir> --allow ls: the executor writes a real file and runs a real ls, and the planner saw the tools', async () => {
    model = await startLoopbackModel(SCRIPT);
    const workspace = realpathSync(makeTempDir('plan-execute-run-tools-'));
    const { code, stdout, stderr } = await runCli(['run', 'Write hello.txt and list it', '--workspace', workspace, '--allow', 'ls'], {
      env: { OPENAI_BASE_URL: model.baseUrl },
    });
    expect(stderr).toBe('');
    expect(normalise(stdout, workspace)).toBe(`executor tools: readFile, writeFile, listFiles, runCommand (ls) in <workspace>
run <id>: Write hello.txt and list it
  plan (2 steps): Write hello.txt, then list the workspace
    - write: Write hello.txt
    - list: List the workspace with ls (after write)
  > write started
  [x] write: wrote hello.txt
  > list started
  [x] list: hello.txt
  synthesis done
run completed

status: completed
final plan:
  [x] write: Write hello.txt
  [x] list: List the workspace with ls
answer: hello.txt is in the workspace.
tokens: 90 (planner 15, executor 60, synthesizer 15); 2 step attempts in <n> ms
`);
    expect(code).toBe(0);
    expect(readFileSync(join(workspace, 'hello.txt'), 'utf8')).toBe('Hello from the executor\n');
    const [plannerRequest] = model.received.filter((request) => request.role === 'planner');
    expect(promptOf(plannerRequest!)).toMatch(/- writeFile: Writes a text file.*- runCommand: Runs one program in the workspace/);
    const executorRequests = model.received.filter((request) => request.role === 'executor');
    expect(executorRequests.map(toolNamesOf)).toEqual(executorRequests.map(() => ['listFiles', 'readFile', 'runCommand', 'writeFile']));
    // The last executor request carries what the real `ls` printed in the workspace.
    const toolResults = JSON.stringify(executorRequests.at(-1)!.body.messages.filter((message) => message.role === 'tool'));
    expect(toolResults).toContain('hello.txt\\\\n');
  });

  it('without --allow, gives no runCommand: neither the planner nor the executor sees one', async () => {
    const script = { ...SCRIPT, planner: [{ json: { ...WRITE_AND_LIST, steps: WRITE_AND_LIST.steps.slice(0, 1) } }], executor: SCRIPT.executor!.slice(0, 2) };
    model = await startLoopbackModel(script);
    const workspace = realpathSync(makeTempDir('plan-execute-run-tools-'));
    const { code, stdout } = await runMain(['run', 'Write hello.txt', '--workspace', workspace, '--json'], { env: { OPENAI_BASE_URL: model.baseUrl } });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).steps.map((step: { stepId: string; toolCalls: number }) => [step.stepId, step.toolCalls])).toEqual([['write', 1]]);
    expect(readFileSync(join(workspace, 'hello.txt'), 'utf8')).toBe('Hello from the executor\n');
    const [plannerRequest] = model.received.filter((request) => request.role === 'planner');
    expect(promptOf(plannerRequest!)).toContain('- writeFile: ');
    expect(promptOf(plannerRequest!)).not.toContain('runCommand');
    const executorRequests = model.received.filter((request) => request.role === 'executor');
    expect(executorRequests.map(toolNamesOf)).toEqual(executorRequests.map(() => ['listFiles', 'readFile', 'writeFile']));
  });

  it('shows a warning when the plan named a tool and the executor made none', async () => {
    const script = { ...SCRIPT, planner: [{ json: { ...WRITE_AND_LIST, steps: WRITE_AND_LIST.steps.slice(0, 1) } }], executor: [outcome('wrote hello.txt')] };
    model = await startLoopbackModel(script);
    const workspace = realpathSync(makeTempDir('plan-execute-run-tools-'));
    const { code, stdout } = await runMain(['run', 'Write hello.txt', '--workspace', workspace], { env: { OPENAI_BASE_URL: model.baseUrl } });
    expect(code).toBe(0);
    expect(normalise(stdout, workspace)).toBe(`executor tools: readFile, writeFile, listFiles in <workspace>
run <id>: Write hello.txt
  plan (1 step): Write hello.txt, then list the workspace
    - write: Write hello.txt
  > write started
  ⚠ write: Step "write" was planned with tool "writeFile" but the executor made no tool call (no-tool-call)
  [x] write: wrote hello.txt
  synthesis done
run completed

status: completed
final plan:
  [x] write: Write hello.txt
answer: hello.txt is in the workspace.
tokens: 45 (planner 15, executor 15, synthesizer 15); 1 step attempt in <n> ms
`);
    expect(existsSync(join(workspace, 'hello.txt'))).toBe(false);
  });
});
