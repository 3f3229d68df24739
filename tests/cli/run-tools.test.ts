import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { COMMAND_TOOL_NAME, CLI_ALLOWED_COMMANDS, FILE_TOOL_NAMES, parseAllowList, workspaceDirFor } from '../../src/cli/run-tool-options.ts';
import { createRunTools, describeRunTools } from '../../src/cli/run-tools.ts';
import { RUN_USAGE } from '../../src/cli/usage.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

afterEach(removeTempDirs);

type Executable = { execute: (input: object, context: object) => Promise<Record<string, unknown>> };
const tool = (tools: Record<string, unknown>, name: string) => tools[name] as Executable;

describe('--allow', () => {
  it('allows no program by default, so run has no runCommand', () => {
    expect(parseAllowList(undefined, RUN_USAGE)).toEqual([]);
    expect(CLI_ALLOWED_COMMANDS).toEqual([]);
  });

  it('takes a comma-separated list, spaces trimmed and repeats dropped', () => {
    expect(parseAllowList('python3, ls,python3', RUN_USAGE)).toEqual(['python3', 'ls']);
  });

  it.each(['', 'ls,', ',ls', 'ls,,cat'])('refuses %j with a usage error naming the flag', (raw) => {
    expect(() => parseAllowList(raw, RUN_USAGE)).toThrow(
      new UsageError(`--allow must be a comma-separated list of programs, such as python3,ls, got ${JSON.stringify(raw)}`, RUN_USAGE),
    );
  });
});

describe('--workspace', () => {
  it.each([
    ['the flag, relative to the working directory', 'out', { PLAN_EXECUTE_WORKSPACE: '/elsewhere' }, '/home/me/out'],
    ['the flag, absolute', '/tmp/ws', {}, '/tmp/ws'],
    ['$PLAN_EXECUTE_WORKSPACE without the flag', undefined, { PLAN_EXECUTE_WORKSPACE: 'shared' }, '/home/me/shared'],
    ['./workspace without either', undefined, { PLAN_EXECUTE_WORKSPACE: '  ' }, '/home/me/workspace'],
  ])('is %s', (_what, flag, env, expected) => {
    expect(workspaceDirFor(flag, env, '/home/me', RUN_USAGE)).toBe(expected);
  });

  it('refuses an empty value', () => {
    expect(() => workspaceDirFor('', {}, '/home/me', RUN_USAGE)).toThrow('--workspace must name a directory, got ""');
  });
});

describe('createRunTools', () => {
  it('gives the file tools, confined to the workspace it creates, and no runCommand without an allow-list', async () => {
    const workspaceDir = join(makeTempDir('plan-execute-run-tools-'), 'new', 'ws');
    const runTools = await createRunTools({ workspaceDir, allowedCommands: [], usage: RUN_USAGE });
    expect(Object.keys(runTools.tools)).toEqual([...FILE_TOOL_NAMES]);
    expect(runTools.workspaceRoot).toBe(realpathSync(workspaceDir));
    await tool(runTools.tools, 'writeFile').execute({ path: 'notes/hello.txt', content: 'hi\n' }, {});
    expect(readFileSync(join(workspaceDir, 'notes/hello.txt'), 'utf8')).toBe('hi\n');
    await expect(tool(runTools.tools, 'readFile').execute({ path: '../outside.txt' }, {})).resolves.toMatchObject({ ok: false });
    expect(describeRunTools(runTools)).toBe(`executor tools: readFile, writeFile, listFiles in ${runTools.workspaceRoot}`);
  });

  it('adds runCommand for the allowed programs only', async () => {
    const workspaceDir = makeTempDir('plan-execute-run-tools-');
    writeFileSync(join(workspaceDir, 'a.txt'), 'a');
    const runTools = await createRunTools({ workspaceDir, allowedCommands: ['ls'], usage: RUN_USAGE });
    expect(Object.keys(runTools.tools)).toEqual([...FILE_TOOL_NAMES, COMMAND_TOOL_NAME]);
    const runCommand = tool(runTools.tools, COMMAND_TOOL_NAME);
    await expect(runCommand.execute({ command: 'ls', args: [] }, {})).resolves.toMatchObject({ ok: true, exitCode: 0, stdout: 'a.txt\n' });
    await expect(runCommand.execute({ command: 'cat', args: ['a.txt'] }, {})).resolves.toMatchObject({ ok: false });
    expect(describeRunTools(runTools)).toBe(`executor tools: readFile, writeFile, listFiles, runCommand (ls) in ${runTools.workspaceRoot}`);
  });

  it('reports a folder it cannot use as a usage error naming it', async () => {
    const parent = makeTempDir('plan-execute-run-tools-');
    writeFileSync(join(parent, 'file'), '');
    const workspaceDir = join(parent, 'file', 'ws');
    await expect(createRunTools({ workspaceDir, allowedCommands: [], usage: RUN_USAGE })).rejects.toThrow(
      new UsageError(`cannot use ${workspaceDir} as the workspace (--workspace): ENOTDIR: not a directory, mkdir '${workspaceDir}'`, RUN_USAGE),
    );
  });

  it('reports an allow-list entry that climbs out of the workspace as a usage error', async () => {
    const workspaceDir = makeTempDir('plan-execute-run-tools-');
    await expect(createRunTools({ workspaceDir, allowedCommands: ['../ls'], usage: RUN_USAGE })).rejects.toThrow(
      '--allow: Expected every entry of `allowedCommands` to be a program name or a path inside the workspace, got "../ls"',
    );
  });
});

describe('run --help', () => {
  it('lists every tool the executor can get', () => {
    for (const name of [...FILE_TOOL_NAMES, COMMAND_TOOL_NAME]) expect(RUN_USAGE).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });
});
