import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { link, mkdir, rename, symlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileTools } from '../../src/tools/file-tools.ts';
import { callTool, createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

let sandbox: Sandbox;
let tools: ReturnType<typeof createFileTools>;
const inside = (name: string) => path.join(sandbox.workspace.root, name);

beforeEach(async () => {
  sandbox = await createSandbox();
  tools = createFileTools(sandbox.workspace);
});
afterEach(async () => {
  expect(await sandbox.outsideFiles()).toEqual(OUTSIDE_FILES);
  await sandbox.remove();
});

describe('special files', () => {
  it('refuses a FIFO at once instead of waiting for a writer, for reading and writing', async () => {
    execFileSync('mkfifo', [inside('pipe')]);
    expect(await callTool(tools.readFile, { path: 'pipe' })).toEqual({ ok: false, error: 'Cannot read "pipe": it is not a regular file (a FIFO)' });
    expect(await callTool(tools.writeFile, { path: 'pipe', content: 'x' })).toEqual({
      ok: false,
      error: 'Cannot write "pipe": it is not a regular file (a FIFO)',
    });
  });

  it('refuses a socket', async () => {
    const server = net.createServer().listen(inside('socket'));
    await once(server, 'listening');
    try {
      expect(await callTool(tools.readFile, { path: 'socket' })).toEqual({ ok: false, error: 'Cannot read "socket": it is not a regular file (a socket)' });
    } finally {
      server.close();
    }
  });

  it('follows links inside at every depth, chains included, and stops a loop', async () => {
    await symlink('../link-to-docs', inside('docs/up'));
    expect(await callTool(tools.readFile, { path: 'docs/up/up/guide.md' })).toMatchObject({ ok: true, path: 'docs/guide.md', content: '# Guide\n' });
    await symlink('loop-b', inside('loop-a'));
    await symlink('loop-a', inside('loop-b'));
    expect(await callTool(tools.readFile, { path: 'loop-a' })).toEqual({
      ok: false,
      error: 'Cannot read "loop-a": it is a symbolic link (or a loop of them), which this tool does not follow (ELOOP)',
    });
  });
});

describe('hard links', () => {
  beforeEach(async () => {
    await link(path.join(sandbox.outside, 'secret.txt'), inside('hard.txt'));
  });
  const refusal = (verb: string) => `Cannot ${verb} "hard.txt": it has 2 hard links, so another name for it may be outside the workspace`;

  it('refuses to read or write a file with another name', async () => {
    expect(await callTool(tools.readFile, { path: 'hard.txt' })).toEqual({ ok: false, error: refusal('read') });
    expect(await callTool(tools.writeFile, { path: 'hard.txt', content: 'pwned' })).toEqual({ ok: false, error: refusal('write') });
  });

  it('reads one with allowHardLinks, and refuses a bad value', async () => {
    const trusting = createFileTools(sandbox.workspace, { allowHardLinks: true });
    expect(await callTool(trusting.readFile, { path: 'hard.txt' })).toMatchObject({ ok: true, content: 'top secret\n' });
    expect(() => createFileTools(sandbox.workspace, { allowHardLinks: 1 as unknown as boolean })).toThrow(
      'Expected `allowHardLinks` to be a boolean, got 1 (number)',
    );
  });
});

describe('a replaced workspace root', () => {
  it('is refused, not followed', async () => {
    await rename(sandbox.workspace.root, `${sandbox.workspace.root}.old`);
    await mkdir(sandbox.workspace.root);
    expect(await callTool(tools.readFile, { path: 'notes.txt' })).toEqual({
      ok: false,
      error: `Cannot read "notes.txt": The workspace root ${sandbox.workspace.root} was replaced after the tools were created`,
    });
  });
});
