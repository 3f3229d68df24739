import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { createRunCommandTool, type RunCommandToolOptions } from '../../src/tools/run-command.ts';
import { Workspace } from '../../src/tools/workspace.ts';
import { bubblewrap, listenOnLoopback } from './hostile-helpers.ts';
import { callTool, createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

let sandbox: Sandbox;
const runCommand = (options: Partial<RunCommandToolOptions> = {}) =>
  createRunCommandTool({ workspace: sandbox.workspace, allowedCommands: ['echo', 'sh', 'python3', 'git', 'awk', 'ls', 'cat'], ...options });
const MISSING_BWRAP = '/nonexistent/bwrap';
const NOT_ISOLATED = "Commands are not isolated: they run as this process's user and can read and write whatever it can and reach the network.";

beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(async () => {
  expect(await sandbox.outsideFiles()).toEqual(OUTSIDE_FILES);
  await sandbox.remove();
  vi.restoreAllMocks();
});

describe('run-command sandbox option', () => {
  it.each([
    [{ sandbox: 'strict' }, 'Expected `sandbox` to be one of auto, required, off, got "strict" (string)'],
    [{ bubblewrap: 'bwrap' }, 'Expected `bubblewrap` to be an absolute path, got "bwrap" (string)'],
    [{ readOnlyPaths: ['opt/tool'] }, 'Expected every entry of `readOnlyPaths` to be an absolute path, got "opt/tool" (string)'],
    [{ allowNetwork: 'yes' }, 'Expected `allowNetwork` to be a boolean, got "yes" (string)'],
    [{ sandbox: 'required', bubblewrap: MISSING_BWRAP }, "`sandbox: 'required'` but /nonexistent/bwrap is not an executable file"],
  ])('refuses %j at creation', (options, message) => {
    const create = () => runCommand(options as Partial<RunCommandToolOptions>);
    expect(create).toThrow(InvalidOptionsError);
    expect(create).toThrow(message);
  });

  it('falls back without bwrap under `auto`: one process warning, a sentence in the description, commands still run', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const first = runCommand({ bubblewrap: MISSING_BWRAP });
    runCommand({ bubblewrap: MISSING_BWRAP });
    expect(emitWarning.mock.calls).toEqual([
      [`run-command: ${MISSING_BWRAP} is not an executable file, so commands run without a sandbox. ${NOT_ISOLATED}`, { code: 'PLAN_EXECUTE_NO_SANDBOX' }],
    ]);
    expect(first.description).toContain(NOT_ISOLATED);
    expect(await callTool(first, { command: 'echo', args: ['still runs'] })).toMatchObject({ ok: true, stdout: 'still runs\n' });
  });

  it('says `off` in the description without warning', () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(runCommand({ sandbox: 'off' }).description).toContain(NOT_ISOLATED);
    expect(emitWarning).not.toHaveBeenCalled();
  });
});

describe.runIf(bubblewrap.usable || process.env.CI === 'true')('run-command inside bubblewrap', () => {
  const sandboxed = (options: Partial<RunCommandToolOptions> = {}) => runCommand({ sandbox: 'required', ...options });
  const run = async (tool: ReturnType<typeof runCommand>, command: string, args: string[]) => callTool(tool, { command, args });

  it('describes the isolation to the model', () => {
    expect(sandboxed().description).toContain('Each command runs in a sandbox: it sees only the workspace (writable, at the same path)');
    expect(sandboxed({ allowNetwork: true }).description).toContain('a private /tmp, no other process; the network is reachable');
  });

  it('shows only the system folders, a fresh /proc, /dev and a private /tmp at the root', async () => {
    const result = await run(sandboxed(), 'ls', ['-1', '/']);
    expect(result.ok).toBe(true);
    const names: string[] = result.stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['dev', 'etc', 'proc', 'tmp', 'usr']));
    expect(names.filter((name) => ['root', 'home', 'work', 'opt', 'var', 'run', 'mnt'].includes(name))).toEqual([]);
    expect((await run(sandboxed(), 'ls', ['/etc'])).stdout).not.toContain('shadow');
  });

  it("shows the CA certificates of /etc/ssl but not the host's TLS keys in /etc/ssl/private", async () => {
    const shown = ['certs', 'openssl.cnf'].filter((name) => existsSync(path.join('/etc/ssl', name)));
    expect(await run(sandboxed(), 'ls', ['-1', '/etc/ssl'])).toMatchObject({ ok: true, stdout: shown.map((name) => `${name}\n`).join('') });
    expect(await run(sandboxed(), 'ls', ['/etc/ssl/private'])).toMatchObject({
      ok: false,
      stderr: "ls: cannot access '/etc/ssl/private': No such file or directory\n",
    });
  });

  it('runs python3, git and an /etc/alternatives program (awk) with what they need from /etc', async () => {
    const python = await run(sandboxed(), 'python3', ['-c', 'import json, ssl, sqlite3, getpass; print(json.dumps(getpass.getuser()))']);
    expect(python).toMatchObject({ ok: true, stderr: '' });
    expect((await run(sandboxed(), 'git', ['init', '-q'])).ok).toBe(true);
    expect(await run(sandboxed(), 'git', ['status', '--short', 'docs', 'notes.txt'])).toMatchObject({ ok: true, stdout: '?? docs/\n?? notes.txt\n' });
    expect(await run(sandboxed(), 'awk', ['BEGIN { print 6 * 7 }'])).toMatchObject({ ok: true, stdout: '42\n' });
  });

  it('drops every capability and keeps /tmp private', async () => {
    const name = `private-${process.pid}`;
    const status = await run(sandboxed(), 'sh', ['-c', `grep CapEff /proc/self/status; echo x > /tmp/${name}; cat /tmp/${name}`]);
    expect(status).toMatchObject({ ok: true, stdout: 'CapEff:\t0000000000000000\nx\n' });
    await expect(stat(`/tmp/${name}`)).rejects.toThrow('ENOENT');
    await expect(stat(path.join(os.tmpdir(), name))).rejects.toThrow('ENOENT');
  });

  it('reaches a loopback port only with allowNetwork', async () => {
    const server = await listenOnLoopback();
    try {
      const script = `import socket; print(socket.create_connection(('127.0.0.1', ${server.port}), timeout=2).recv(16).decode(), end='')`;
      expect(await run(sandboxed({ allowNetwork: true }), 'python3', ['-c', script])).toMatchObject({ ok: true, stdout: 'hello\n' });
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses a program the sandbox does not show, and runs it once its folder is in readOnlyPaths', async () => {
    const node = await realpath(process.execPath);
    expect(await run(sandboxed({ allowedCommands: [node] }), node, ['--version'])).toEqual({
      ok: false,
      error: `Cannot run ${JSON.stringify(node)}: it resolves to ${node}, which the sandbox does not show (add its folder to \`readOnlyPaths\`)`,
    });
    const visible = sandboxed({ allowedCommands: [node], readOnlyPaths: [path.dirname(node)] });
    expect(await run(visible, node, ['--version'])).toMatchObject({ ok: true, stdout: `${process.version}\n` });
  });

  it('shows readOnlyPaths read-only and keeps the workspace inside one writable', async () => {
    const tool = sandboxed({ readOnlyPaths: [sandbox.parent] });
    const script = 'echo x > written.txt && cat ../outside/secret.txt && echo y > ../outside/new.txt';
    const result = await run(tool, 'sh', ['-c', script]);
    expect(result).toMatchObject({ ok: false, exitCode: 2, stdout: 'top secret\n' });
    expect(result.stderr).toContain('Read-only file system');
    expect(await readFile(path.join(sandbox.workspace.root, 'written.txt'), 'utf8')).toBe('x\n');
  });

  it('refuses a workspace that would cover the system folders', async () => {
    const root = await Workspace.create('/');
    const create = () => createRunCommandTool({ workspace: root, allowedCommands: ['ls'], sandbox: 'required' });
    expect(create).toThrow('Cannot sandbox commands in the workspace /: it is the file system root');
  });
});
