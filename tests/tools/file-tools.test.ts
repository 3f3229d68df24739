import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileTools } from '../../src/tools/file-tools.ts';
import { createListFilesTool } from '../../src/tools/list-files.ts';
import { callTool, createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

let sandbox: Sandbox;
let tools: ReturnType<typeof createFileTools>;
const inside = (name: string) => path.join(sandbox.workspace.root, name);

beforeEach(async () => {
  sandbox = await createSandbox();
  tools = createFileTools(sandbox.workspace);
});
afterEach(async () => {
  // Nothing outside the workspace is ever read into a result or changed.
  expect(await sandbox.outsideFiles()).toEqual(OUTSIDE_FILES);
  await sandbox.remove();
});

const ESCAPES: Array<[string, string]> = [
  ['../outside/secret.txt', 'it climbs out with ".."'],
  ['/etc/passwd', 'it is absolute (give paths relative to the workspace root)'],
  ['link-to-secret', 'a symbolic link on it leads out'],
  ['link-to-outside/secret.txt', 'a symbolic link on it leads out'],
];

describe('createFileTools', () => {
  it('gives the three tools their ids', () => {
    expect([tools.readFile.id, tools.writeFile.id, tools.listFiles.id]).toEqual(['read-file', 'write-file', 'list-files']);
  });

  it.each([
    [{ maxReadBytes: 0 }, 'Expected `maxReadBytes` to be an integer from 1 and up, got 0 (number)'],
    [{ maxWriteBytes: 1.5 }, 'Expected `maxWriteBytes` to be an integer from 1 and up, got 1.5 (number)'],
  ])('refuses the limits %j', (options, message) => {
    expect(() => createFileTools(sandbox.workspace, options)).toThrow(message);
  });
});

describe('read-file', () => {
  it('reads a file by its workspace-relative path', async () => {
    expect(await callTool(tools.readFile, { path: 'docs/guide.md' })).toEqual({
      ok: true,
      path: 'docs/guide.md',
      content: '# Guide\n',
      size: 8,
      truncated: false,
    });
  });

  it('follows a link that stays inside and names the real file', async () => {
    expect(await callTool(tools.readFile, { path: 'link-to-notes' })).toEqual({
      ok: true,
      path: 'notes.txt',
      content: 'hello notes\n',
      size: 12,
      truncated: false,
    });
  });

  it('returns only the first maxReadBytes bytes of a longer file', async () => {
    const small = createFileTools(sandbox.workspace, { maxReadBytes: 5 });
    expect(await callTool(small.readFile, { path: 'notes.txt' })).toEqual({ ok: true, path: 'notes.txt', content: 'hello', size: 12, truncated: true });
  });

  it.each(ESCAPES)('refuses %j without reading it', async (requested, reason) => {
    expect(await callTool(tools.readFile, { path: requested })).toEqual({
      ok: false,
      error: `Path ${JSON.stringify(requested)} is outside the workspace: ${reason}`,
    });
  });

  it.each([
    ['missing.txt', 'Cannot read "missing.txt": no such file or directory (ENOENT)'],
    ['docs', 'Cannot read "docs": it is a directory'],
  ])('reports %j as a failure, not a crash', async (requested, error) => {
    expect(await callTool(tools.readFile, { path: requested })).toEqual({ ok: false, error });
  });
});

describe('write-file', () => {
  it('creates the parent directories, then replaces the file on a second write', async () => {
    expect(await callTool(tools.writeFile, { path: 'app/api/main.py', content: 'print("hi")\n' })).toEqual({
      ok: true,
      path: 'app/api/main.py',
      bytes: 12,
      created: true,
    });
    expect(await readFile(inside('app/api/main.py'), 'utf8')).toBe('print("hi")\n');
    expect(await callTool(tools.writeFile, { path: 'app/api/main.py', content: 'é' })).toEqual({ ok: true, path: 'app/api/main.py', bytes: 2, created: false });
    expect(await readFile(inside('app/api/main.py'), 'utf8')).toBe('é');
    expect((await stat(inside('app/api/main.py'))).mode & 0o777).toBe(0o644);
  });

  it('writes through a link that stays inside, to its target', async () => {
    expect(await callTool(tools.writeFile, { path: 'link-to-notes', content: 'new notes' })).toEqual({ ok: true, path: 'notes.txt', bytes: 9, created: false });
    expect(await readFile(inside('notes.txt'), 'utf8')).toBe('new notes');
  });

  it.each<[string, string]>([
    ...ESCAPES,
    ['link-to-outside/new.txt', 'a symbolic link on it leads out'],
    ['link-to-outside/deep/new.txt', 'a symbolic link on it leads out'],
    ['dangling-out', 'a symbolic link on it leads out'],
    ['../escape.txt', 'it climbs out with ".."'],
  ])('refuses %j and writes nothing outside', async (requested, reason) => {
    expect(await callTool(tools.writeFile, { path: requested, content: 'pwned' })).toEqual({
      ok: false,
      error: `Path ${JSON.stringify(requested)} is outside the workspace: ${reason}`,
    });
    await expect(stat(path.join(sandbox.parent, 'escape.txt'))).rejects.toThrow('ENOENT');
  });

  it('refuses content over maxWriteBytes and leaves no file', async () => {
    const small = createFileTools(sandbox.workspace, { maxWriteBytes: 4 });
    expect(await callTool(small.writeFile, { path: 'big.txt', content: '12345' })).toEqual({
      ok: false,
      error: 'Cannot write "big.txt": 5 bytes is over the limit of 4',
    });
    await expect(stat(inside('big.txt'))).rejects.toThrow('ENOENT');
  });

  it.each([
    ['.', 'Cannot write ".": it is the workspace root'],
    ['docs', 'Cannot write "docs": it is a directory'],
    ['notes.txt/child', 'Cannot write "notes.txt/child": a parent of the path is not a directory (ENOTDIR)'],
  ])('reports %j as a failure, not a crash', async (requested, error) => {
    expect(await callTool(tools.writeFile, { path: requested, content: 'x' })).toEqual({ ok: false, error });
  });
});

describe('list-files', () => {
  it('lists recursively, sorted, with markers, never following links', async () => {
    await mkdir(inside('docs/api/v1'), { recursive: true });
    await writeFile(inside('docs/api/v1/spec.yaml'), 'x');
    expect(await callTool(tools.listFiles, {})).toEqual({
      ok: true,
      path: '.',
      entries: [
        'dangling-out@',
        'docs/',
        'docs/api/',
        'docs/api/v1/',
        'docs/guide.md',
        'link-to-docs@',
        'link-to-notes@',
        'link-to-outside@',
        'link-to-secret@',
        'notes.txt',
      ],
      truncated: false,
    });
  });

  it('lists one directory to the given depth', async () => {
    await mkdir(inside('docs/api'));
    await writeFile(inside('docs/api/spec.yaml'), 'x');
    expect(await callTool(tools.listFiles, { path: 'docs', depth: 1 })).toEqual({
      ok: true,
      path: 'docs',
      entries: ['docs/api/', 'docs/guide.md'],
      truncated: false,
    });
    expect(await callTool(tools.listFiles, { path: 'link-to-docs', depth: 2 })).toEqual({
      ok: true,
      path: 'docs',
      entries: ['docs/api/', 'docs/api/spec.yaml', 'docs/guide.md'],
      truncated: false,
    });
  });

  it('stops at the entry limit and says so', async () => {
    const listFiles = createListFilesTool(sandbox.workspace, { maxEntries: 3 });
    expect(await callTool(listFiles, { depth: 5 })).toEqual({ ok: true, path: '.', entries: ['dangling-out@', 'docs/', 'docs/guide.md'], truncated: true });
  });

  it('lists, at every entry limit, the first entries of the whole listing, read without holding a directory whole', async () => {
    // Created out of name order, with an empty directory and nested ones, so every limit cuts somewhere else.
    await mkdir(inside('many/empty'), { recursive: true });
    await mkdir(inside('many/sub/deeper'), { recursive: true });
    for (const n of [17, 3, 29, 11, 0, 23, 7, 19, 5, 13]) await writeFile(inside(`many/f${String(n).padStart(2, '0')}`), 'x');
    await writeFile(inside('many/sub/b'), 'x');
    await writeFile(inside('many/sub/a'), 'x');
    await writeFile(inside('many/sub/deeper/z'), 'x');
    const whole = await callTool(createListFilesTool(sandbox.workspace, { maxEntries: 100 }), { path: 'many', depth: 5 });
    const names = ['empty/', 'f00', 'f03', 'f05', 'f07', 'f11', 'f13', 'f17', 'f19', 'f23', 'f29', 'sub/', 'sub/a', 'sub/b', 'sub/deeper/', 'sub/deeper/z'];
    expect(whole).toEqual({ ok: true, path: 'many', entries: names.map((name) => `many/${name}`), truncated: false });
    for (let limit = 1; limit <= names.length; limit++) {
      const listing = await callTool(createListFilesTool(sandbox.workspace, { maxEntries: limit }), { path: 'many', depth: 5 });
      expect(listing).toEqual({ ok: true, path: 'many', entries: names.slice(0, limit).map((name) => `many/${name}`), truncated: limit < names.length });
    }
  });

  it.each([
    ['../outside', 'Path "../outside" is outside the workspace: it climbs out with ".."'],
    ['/etc', 'Path "/etc" is outside the workspace: it is absolute (give paths relative to the workspace root)'],
    ['link-to-outside', 'Path "link-to-outside" is outside the workspace: a symbolic link on it leads out'],
    ['notes.txt', 'Cannot list "notes.txt": it is not a directory'],
    ['missing', 'Cannot list "missing": no such file or directory (ENOENT)'],
  ])('refuses %j', async (requested, error) => {
    expect(await callTool(tools.listFiles, { path: requested })).toEqual({ ok: false, error });
  });
});
