import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunEvent } from '../../../src/engine/events.ts';
import { InvalidOptionsError } from '../../../src/engine/errors.ts';
import { DOCKERFILE, MAIN_PY, README_MD, REQUIREMENTS_TXT } from '../../../src/examples/python-scaffold/project-files.ts';
import { createScaffoldTools, runPythonScaffold, type PythonScaffoldRun } from '../../../src/examples/python-scaffold/index.ts';
import { SCAFFOLD_REVISION, SCAFFOLD_SUMMARY } from '../../../src/examples/python-scaffold/scripted-roles.ts';
import { Workspace } from '../../../src/tools/workspace.ts';

const run = promisify(execFile);

// pip's own words when it finds no distribution: what the failed step must quote.
const PIP_NO_DISTRIBUTION =
  'ERROR: Could not find a version that satisfies the requirement fastapi (from versions: none)\nERROR: No matching distribution found for fastapi';

/** `GET /health`-style lines for every route decorator in a Python file, read with Python's own parser. */
const ROUTES_SCRIPT = `
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in ast.walk(tree):
    for decorator in getattr(node, "decorator_list", []):
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            print(decorator.func.attr.upper(), decorator.args[0].value, node.name)
`;

describe('runPythonScaffold (scripted roles, real commands, offline)', () => {
  let parent: string;
  let sandbox: string;
  let scaffold: PythonScaffoldRun;
  const events: PlanRunEvent[] = [];
  let wallMs = 0;

  beforeAll(async () => {
    parent = await realpath(await mkdtemp(path.join(os.tmpdir(), 'scaffold-test-')));
    sandbox = path.join(parent, 'sandbox');
    const started = performance.now();
    scaffold = await runPythonScaffold({ workspaceDir: sandbox, onEvent: (event) => void events.push(event) });
    wallMs = performance.now() - started;
  }, 120_000);
  afterAll(() => rm(parent, { recursive: true, force: true }));

  const file = (name: string) => readFile(path.join(sandbox, name), 'utf8');

  it('ends completed, with the offline install replaced by a revision', () => {
    const { result } = scaffold;
    expect(scaffold.workspaceDir).toBe(sandbox);
    expect(result.status).toBe('completed');
    expect(result.error).toBeNull();
    expect(result.initialPlan?.steps.map((step) => step.id)).toEqual(['structure', 'venv', 'main', 'install', 'dockerfile', 'readme']);
    expect(result.plan.map((step) => [step.id, step.status])).toEqual([
      ['structure', 'done'],
      ['venv', 'done'],
      ['main', 'done'],
      ['requirements', 'done'],
      ['dockerfile', 'done'],
      ['readme', 'done'],
    ]);
    expect(result.finalOutput).toBe(SCAFFOLD_SUMMARY);
    console.info(`scaffold run: ${Math.round(wallMs)} ms wall`);
  });

  it("records the failed install with pip's real error, and the revision it caused", () => {
    const { result } = scaffold;
    const install = result.steps.filter((attempt) => attempt.stepId === 'install');
    expect(install).toHaveLength(1);
    expect(install[0]).toMatchObject({ status: 'failed', retryable: false, toolCalls: 1 });
    expect(install[0]!.error).toBe(`\`.venv/bin/python -m pip install fastapi uvicorn\` failed (Exited with code 1): ${PIP_NO_DISTRIBUTION}`);
    expect(result.replanned).toBe(true);
    expect(result.revisions).toHaveLength(1);
    expect(result.revisions[0]).toMatchObject({ revision: 1, kind: 'revise', failedStepId: 'install', reason: SCAFFOLD_REVISION.rationale });
    expect(result.revisions[0]!.stepsAfter.map((step) => step.id)).toEqual(['structure', 'venv', 'main', 'requirements', 'dockerfile', 'readme']);
    expect(events.filter((event) => event.type === 'step-failed').map((event) => event.type === 'step-failed' && event.stepId)).toEqual(['install']);
    expect(events.filter((event) => event.type === 'plan-revised')).toHaveLength(1);
  });

  it('made every step with the tools, each attempt once', () => {
    const attempts = scaffold.result.steps.map((attempt) => `${attempt.stepId}: ${attempt.toolCalls} tool calls`).sort();
    expect(attempts).toEqual([
      'dockerfile: 1 tool calls',
      'install: 1 tool calls',
      'main: 1 tool calls',
      'readme: 1 tool calls',
      'requirements: 1 tool calls',
      'structure: 2 tool calls',
      'venv: 2 tool calls',
    ]);
    const venv = scaffold.result.plan.find((step) => step.id === 'venv')!;
    expect(venv.output).toMatch(/^`python3 -m venv \.venv` succeeded\n`\.venv\/bin\/python --version` succeeded: Python 3\.\d+\.\d+$/);
  });

  it('wrote main.py with GET /health, the Dockerfile, requirements.txt and the README note', async () => {
    expect(await file('app/main.py')).toBe(MAIN_PY);
    const { stdout: routes } = await run('python3', ['-c', ROUTES_SCRIPT, path.join(sandbox, 'app/main.py')]);
    expect(routes).toBe('GET /health health\n');
    expect(await file('Dockerfile')).toBe(DOCKERFILE);
    expect(DOCKERFILE).toContain('RUN pip install --no-cache-dir -r requirements.txt\n');
    expect(await file('requirements.txt')).toBe(REQUIREMENTS_TXT);
    expect(await file('README.md')).toBe(README_MD);
    expect(README_MD).toContain('.venv/bin/python -m pip install -r requirements.txt');
    const projectEntries = (await readdir(sandbox)).filter((name) => !name.startsWith('.')).sort();
    expect(projectEntries).toEqual(['Dockerfile', 'README.md', 'app', 'requirements.txt', 'tests']);
    expect(await readdir(path.join(sandbox, 'tests'))).toEqual([]);
  });

  it('created a real virtual environment, without fastapi in it', async () => {
    await access(path.join(sandbox, '.venv/pyvenv.cfg'));
    const python = path.join(sandbox, '.venv/bin/python');
    const { stdout } = await run(python, ['-c', 'import sys; print(sys.prefix)']);
    expect(stdout).toBe(`${path.join(sandbox, '.venv')}\n`);
    await expect(run(python, ['-c', 'import fastapi'])).rejects.toThrow("No module named 'fastapi'");
  });

  it('wrote nothing outside the sandbox', async () => {
    expect(await readdir(parent)).toEqual(['sandbox']);
  });

  it('fails an offline pip install fast, with the same error every time', async () => {
    const { runCommand } = createScaffoldTools(await Workspace.create(sandbox), { offline: true, commandTimeoutMs: 30_000 });
    const result = (await runCommand.execute!({ command: '.venv/bin/python', args: ['-m', 'pip', 'install', 'fastapi', 'uvicorn'] }, {} as never)) as Record<
      string,
      unknown
    >;
    expect(result).toMatchObject({
      ok: false,
      exitCode: 1,
      signal: null,
      stdout: '',
      stderr: `${PIP_NO_DISTRIBUTION}\n`,
      timedOut: false,
      error: 'Exited with code 1',
    });
    expect(result.durationMs).toBeLessThan(10_000);
    console.info(`offline pip install failed in ${String(result.durationMs)} ms`);
  });

  it('refuses to let pip install outside a virtual environment', async () => {
    const { runCommand } = createScaffoldTools(await Workspace.create(sandbox), { offline: true, commandTimeoutMs: 30_000 });
    const result = (await runCommand.execute!({ command: 'python3', args: ['-m', 'pip', 'install', 'fastapi'] }, {} as never)) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: false, exitCode: 3, stderr: 'ERROR: Could not find an activated virtualenv (required).\n' });
  });
});

describe('runPythonScaffold options', () => {
  it('makes a fresh sandbox under the OS temp directory by default', async () => {
    const { result, workspaceDir } = await runPythonScaffold({ abortSignal: AbortSignal.abort() });
    try {
      expect(result.status).toBe('cancelled');
      expect(path.dirname(workspaceDir)).toBe(await realpath(os.tmpdir()));
      expect(path.basename(workspaceDir)).toMatch(/^python-scaffold-\w{6}$/);
      expect(await readdir(workspaceDir)).toEqual([]);
    } finally {
      await rm(workspaceDir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ workspaceDir: 'relative/dir' }, 'Expected `workspaceDir` to be an absolute path, got "relative/dir"'],
    [{ offline: false }, 'The scripted scaffold run is offline only; pass `models` to run online'],
  ])('refuses %j before touching the disk', async (options, message) => {
    await expect(runPythonScaffold(options)).rejects.toThrow(InvalidOptionsError);
    await expect(runPythonScaffold(options)).rejects.toThrow(message);
  });
});
