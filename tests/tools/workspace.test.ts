import { mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { Workspace, WorkspaceEscapeError } from '../../src/tools/workspace.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';

describe('Workspace.create', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'workspace-create-'));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  it('creates missing directories (mkdir -p) and keeps the real path as root', async () => {
    await symlink(parent, path.join(parent, 'alias'));
    const workspace = await Workspace.create(path.join(parent, 'alias', 'a', 'b'));
    expect(workspace.root).toBe(path.join(await realpath(parent), 'a', 'b'));
    expect((await stat(workspace.root)).isDirectory()).toBe(true);
  });

  it("fails where a folder cannot be made, such as under /proc (where Node's recursive mkdir never settles)", async () => {
    await expect(Workspace.create('/proc/no-such-workspace/a')).rejects.toMatchObject({ code: 'ENOENT', path: '/proc/no-such-workspace' });
    const file = path.join(parent, 'file');
    await writeFile(file, '');
    await expect(Workspace.create(path.join(file, 'a'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(Workspace.create(file)).rejects.toMatchObject({ code: 'ENOTDIR', path: file });
    await Workspace.create(path.join(parent, 'stray', '..', 'ws'));
    await expect(stat(path.join(parent, 'stray'))).rejects.toThrow('ENOENT');
  });

  it('refuses a relative root before creating anything', async () => {
    const relative = path.relative(process.cwd(), path.join(parent, 'rel'));
    await expect(Workspace.create(relative)).rejects.toThrow(InvalidOptionsError);
    await expect(Workspace.create('sandbox')).rejects.toThrow('Expected the workspace root to be an absolute path, got "sandbox"');
    await expect(stat(path.join(parent, 'rel'))).rejects.toThrow('ENOENT');
  });
});

describe('Workspace.resolve', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await createSandbox();
  });
  afterEach(() => sandbox.remove());

  it.each([
    ['notes.txt', 'notes.txt'],
    ['.', ''],
    ['', ''],
    ['docs/../notes.txt', 'notes.txt'],
    ['new/deep/file.txt', 'new/deep/file.txt'],
    ['link-to-notes', 'notes.txt'],
    ['link-to-docs/guide.md', 'docs/guide.md'],
    ['link-to-docs/new.md', 'docs/new.md'],
  ])('resolves %j inside the workspace to <root>/%s', async (requested, expected) => {
    expect(await sandbox.workspace.resolve(requested)).toBe(path.join(sandbox.workspace.root, expected));
  });

  it.each([
    ['../outside/secret.txt', 'it climbs out with ".."'],
    ['docs/../../outside', 'it climbs out with ".."'],
    ['/etc/passwd', 'it is absolute (give paths relative to the workspace root)'],
    ['link-to-secret', 'a symbolic link on it leads out'],
    ['link-to-outside', 'a symbolic link on it leads out'],
    ['link-to-outside/secret.txt', 'a symbolic link on it leads out'],
    ['link-to-outside/new/file.txt', 'a symbolic link on it leads out'],
    ['dangling-out', 'a symbolic link on it leads out'],
    ['nul\0byte', 'it contains a NUL byte'],
  ])('refuses %j: %s', async (requested, reason) => {
    const attempt = sandbox.workspace.resolve(requested);
    await expect(attempt).rejects.toThrow(WorkspaceEscapeError);
    await expect(attempt).rejects.toThrow(`Path ${JSON.stringify(requested)} is outside the workspace: ${reason}`);
    await expect(attempt).rejects.toMatchObject({ path: requested });
  });

  it('splits a path into the names below the root, refusing escapes as resolve does', async () => {
    const { workspace } = sandbox;
    expect(workspace.components('docs/./api/../guide.md')).toEqual(['docs', 'guide.md']);
    expect(workspace.components('.')).toEqual([]);
    expect(() => workspace.components('../outside')).toThrow(WorkspaceEscapeError);
    expect(workspace.rootIdentity).toEqual({ dev: (await stat(workspace.root)).dev, ino: (await stat(workspace.root)).ino });
  });

  it('resolveEntry keeps the last name unfollowed but confines its directory', async () => {
    const { workspace } = sandbox;
    expect(await workspace.resolveEntry('link-to-secret')).toBe(path.join(workspace.root, 'link-to-secret'));
    expect(await workspace.resolveEntry('link-to-docs/guide.md')).toBe(path.join(workspace.root, 'docs/guide.md'));
    await expect(workspace.resolveEntry('link-to-outside/secret.txt')).rejects.toThrow(WorkspaceEscapeError);
    await expect(workspace.resolveEntry('../x')).rejects.toThrow(WorkspaceEscapeError);
  });
});
