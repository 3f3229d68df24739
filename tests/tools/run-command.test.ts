import { chmod, mkdir, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { createRunCommandTool, type RunCommandToolOptions } from '../../src/tools/run-command.ts';
import { SANDBOX_ROWS } from './hostile-helpers.ts';
import { callTool, createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

let sandbox: Sandbox;
const inside = (name: string) => path.join(sandbox.workspace.root, name);
const runCommand = (options: Partial<RunCommandToolOptions> = {}) =>
  createRunCommandTool({ workspace: sandbox.workspace, allowedCommands: ['echo', 'ls', 'pwd', 'env', 'cat', 'sleep', 'sh', 'head', 'node'], ...options });

beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  expect(await sandbox.outsideFiles()).toEqual(OUTSIDE_FILES);
  await sandbox.remove();
});

const success = (stdout: string, stderr = '') => ({
  ok: true,
  exitCode: 0,
  signal: null,
  stdout,
  stderr,
  truncated: false,
  timedOut: false,
  durationMs: expect.any(Number),
});

describe('run-command: no shell', () => {
  it.each([
    ['a semicolon', ['hello;', 'ls', '/']],
    ['command substitution', ['$(cat /etc/passwd)']],
    ['backticks', ['`id`']],
    ['&& and ||', ['ok', '&&', 'touch', 'pwned', '||', 'true']],
    ['a pipe and a redirection', ['x', '|', 'cat', '>', 'pwned']],
    ['a glob and a variable', ['*', '$HOME', '~']],
  ])('passes %s to the program literally', async (_, args) => {
    const result = await callTool(runCommand(), { command: 'echo', args });
    expect(result).toEqual(success(`${args.join(' ')}\n`));
    await expect(stat(inside('pwned'))).rejects.toThrow('ENOENT');
  });

  it('is the tool "run-command"', () => {
    expect(runCommand().id).toBe('run-command');
  });
});

describe('run-command: allow-list', () => {
  it.each([
    ['rm', 'Refused: "rm" is not an allowed command (echo, ls)'],
    ['bash', 'Refused: "bash" is not an allowed command (echo, ls)'],
    ['/bin/echo', 'Refused: "/bin/echo" is a path; run an allowed command by its bare name (echo, ls)'],
    ['./echo', 'Refused: "./echo" is a path; run an allowed command by its bare name (echo, ls)'],
    ['../../bin/ls', 'Refused: "../../bin/ls" is a path; run an allowed command by its bare name (echo, ls)'],
    ['echo ', 'Refused: "echo " is not an allowed command (echo, ls)'],
  ])('refuses %j', async (command, error) => {
    expect(await callTool(runCommand({ allowedCommands: ['echo', 'ls'] }), { command, args: ['pwned'] })).toEqual({ ok: false, error });
  });

  it('runs an exactly allow-listed absolute path', async () => {
    const echoPath = await realpath('/bin/echo');
    expect(await callTool(runCommand({ allowedCommands: [echoPath] }), { command: echoPath, args: ['hi'] })).toEqual(success('hi\n'));
  });

  it('runs an exactly allow-listed workspace path, the last link unfollowed (a venv python is a link out)', async () => {
    await mkdir(inside('bin'));
    await symlink(await realpath('/bin/echo'), inside('bin/say'));
    expect(await callTool(runCommand({ allowedCommands: ['bin/say'] }), { command: 'bin/say', args: ['from', 'the', 'venv'] })).toEqual(
      success('from the venv\n'),
    );
  });

  it('refuses an allow-listed workspace path whose directory leads out, and one that does not exist', async () => {
    const tool = runCommand({ allowedCommands: ['link-to-outside/tool', 'bin/missing'] });
    expect(await callTool(tool, { command: 'link-to-outside/tool' })).toEqual({
      ok: false,
      error: 'Path "link-to-outside/tool" is outside the workspace: a symbolic link on it leads out',
    });
    expect(await callTool(tool, { command: 'bin/missing' })).toEqual({ ok: false, error: '"bin/missing" does not exist (yet) or is not executable' });
  });

  it('refuses a written, non-executable file even when allow-listed', async () => {
    await writeFile(inside('script.sh'), '#!/bin/sh\necho pwned\n');
    expect(await callTool(runCommand({ allowedCommands: ['script.sh', './script.sh'] }), { command: './script.sh' })).toEqual({
      ok: false,
      error: '"./script.sh" does not exist (yet) or is not executable',
    });
  });

  it('reports an allowed program missing from PATH', async () => {
    expect(await callTool(runCommand({ allowedCommands: ['no-such-program-4242'] }), { command: 'no-such-program-4242' })).toEqual({
      ok: false,
      error: '"no-such-program-4242" is allowed but was not found on PATH',
    });
  });

  it('never looks a bare name up in a relative PATH entry such as "."', async () => {
    await writeFile(inside('ls'), '#!/bin/sh\necho pwned\n');
    await chmod(inside('ls'), 0o755);
    const tool = runCommand({ allowedCommands: ['ls'], env: { PATH: `.:${process.env.PATH}` } });
    const result = await callTool(tool, { command: 'ls', args: ['-1', 'docs'] });
    expect(result).toEqual(success('guide.md\n'));
  });
});

describe('run-command: working directory', () => {
  it('runs in the workspace root by default, and in a directory inside it when asked', async () => {
    expect(await callTool(runCommand(), { command: 'pwd' })).toEqual(success(`${sandbox.workspace.root}\n`));
    expect(await callTool(runCommand(), { command: 'pwd', cwd: 'link-to-docs' })).toEqual(success(`${inside('docs')}\n`));
  });

  it.each([
    ['..', 'Path ".." is outside the workspace: it climbs out with ".."'],
    ['/tmp', 'Path "/tmp" is outside the workspace: it is absolute (give paths relative to the workspace root)'],
    ['link-to-outside', 'Path "link-to-outside" is outside the workspace: a symbolic link on it leads out'],
    ['notes.txt', 'cwd "notes.txt" is not a directory'],
    ['missing', 'cwd "missing": no such file or directory (ENOENT)'],
  ])('refuses cwd %j', async (cwd, error) => {
    expect(await callTool(runCommand(), { command: 'ls', cwd })).toEqual({ ok: false, error });
  });
});

describe('run-command: results', () => {
  it('reports a non-zero exit as a failed run with its stderr', async () => {
    const result = await callTool(runCommand({ env: { LANG: 'C' } }), { command: 'ls', args: ['missing'] });
    expect(result).toEqual({
      ok: false,
      exitCode: 2,
      signal: null,
      stdout: '',
      stderr: "ls: cannot access 'missing': No such file or directory\n",
      truncated: false,
      timedOut: false,
      durationMs: expect.any(Number),
      error: 'Exited with code 2',
    });
  });

  it('reports an argument that cannot be passed (a NUL byte) as a failure, not a crash', async () => {
    const result = await callTool(runCommand(), { command: 'echo', args: ['ok', 'a\0b'] });
    expect(result).toEqual({ ok: false, error: 'Cannot start "echo": argument 2 contains a NUL byte' });
  });

  it('closes stdin, so a program reading it ends at once', async () => {
    expect(await callTool(runCommand({ timeoutMs: 5_000 }), { command: 'cat' })).toEqual(success(''));
  });
});

describe.each(SANDBOX_ROWS)('run-command: environment $label', ({ mode }) => {
  const secrets = { OPENAI_API_KEY: 'sk-test-do-not-leak', GITHUB_TOKEN: 'ghp_test', DATABASE_SECRET: 'hunter2' };
  beforeEach(() => {
    for (const [name, value] of Object.entries(secrets)) vi.stubEnv(name, value);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  // Without a sandbox each command also carries a marker, by which the timeout finds what it started; bwrap sets PWD (its --chdir).
  const marker = mode === 'off' ? { PLAN_EXECUTE_COMMAND_ID: expect.stringMatching(/^[0-9a-f-]{36}$/) } : { PWD: expect.any(String) };

  it("gives the command only PATH (the sandbox's own with bwrap), HOME (the workspace) and LANG", async () => {
    const result = await callTool(runCommand({ sandbox: mode }), { command: 'env' });
    expect(result.ok).toBe(true);
    expect(result.stdout).not.toContain('sk-test-do-not-leak');
    const variables = Object.fromEntries(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line: string) => line.split(/=(.*)/s).slice(0, 2)),
    );
    const PATH = mode === 'off' ? process.env.PATH : '/usr/local/bin:/usr/bin:/bin';
    expect(variables).toEqual({ PATH, HOME: sandbox.workspace.root, LANG: process.env.LANG ?? 'C.UTF-8', ...marker });
    if (mode !== 'off') expect(variables.PWD).toBe(sandbox.workspace.root);
  });

  it('adds options.env on top, and only that', async () => {
    const result = await callTool(runCommand({ sandbox: mode, env: { PIP_NO_INDEX: '1', LANG: 'C' } }), { command: 'env' });
    const names = result.stdout
      .trimEnd()
      .split('\n')
      .map((line: string) => line.split('=')[0])
      .sort();
    expect(names).toEqual(['HOME', 'LANG', 'PATH', 'PIP_NO_INDEX', ...Object.keys(marker)].sort());
    expect(result.stdout).toContain('\nLANG=C\n');
  });
});

describe('createRunCommandTool options', () => {
  it.each([
    [{ allowedCommands: [] }, 'Expected `allowedCommands` to be a non-empty array of command names, got []'],
    [{ allowedCommands: [''] }, 'Expected every entry of `allowedCommands` to be a program name or a path inside the workspace, got ""'],
    [{ allowedCommands: ['../bin/sh'] }, 'Expected every entry of `allowedCommands` to be a program name or a path inside the workspace, got "../bin/sh"'],
    [{ timeoutMs: 0 }, 'Expected `timeoutMs` to be an integer from 1 to 2147483647, got 0 (number)'],
    [{ timeoutMs: 2 ** 31 }, 'Expected `timeoutMs` to be an integer from 1 to 2147483647, got 2147483648 (number)'],
    [{ maxOutputBytes: -1 }, 'Expected `maxOutputBytes` to be an integer from 1 and up, got -1 (number)'],
    [{ env: { PATH: 42 as unknown as string } }, 'Expected `env.PATH` to be a string, got 42 (number)'],
  ])('refuses %j', (options, message) => {
    expect(() => runCommand(options)).toThrow(InvalidOptionsError);
    expect(() => runCommand(options)).toThrow(message);
  });
});
