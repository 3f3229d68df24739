import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Workspace } from '../../src/tools/workspace.ts';

/** A workspace next to an `outside` directory holding a secret, and symbolic links from one to the other. */
export interface Sandbox {
  /** The workspace (its root is `<parent>/workspace`). */
  readonly workspace: Workspace;
  /** `<parent>/outside`: must never be read or written through the tools. */
  readonly outside: string;
  /** The real temporary directory holding both. */
  readonly parent: string;
  /** Every file under `outside`, with its content. */
  outsideFiles(): Promise<Record<string, string>>;
  /** Removes everything. */
  remove(): Promise<void>;
}

/** What `outside` holds before any test touches it. */
export const OUTSIDE_FILES = { 'secret.txt': 'top secret\n' };

/**
 * A fresh sandbox. Inside the workspace: `notes.txt`, `docs/guide.md`, and the links
 * `link-to-secret` → outside/secret.txt, `link-to-outside` → outside/, `dangling-out` →
 * outside/new.txt (does not exist), `link-to-notes` → notes.txt, `link-to-docs` → docs/.
 */
export async function createSandbox(): Promise<Sandbox> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'tools-test-'));
  const outside = path.join(parent, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), OUTSIDE_FILES['secret.txt']);
  const workspace = await Workspace.create(path.join(parent, 'workspace'));
  const inside = (name: string) => path.join(workspace.root, name);
  await writeFile(inside('notes.txt'), 'hello notes\n');
  await mkdir(inside('docs'));
  await writeFile(inside('docs/guide.md'), '# Guide\n');
  await symlink(path.join(outside, 'secret.txt'), inside('link-to-secret'));
  await symlink(outside, inside('link-to-outside'));
  await symlink(path.join(outside, 'new.txt'), inside('dangling-out'));
  await symlink('notes.txt', inside('link-to-notes'));
  await symlink('docs', inside('link-to-docs'));
  return {
    workspace,
    outside,
    parent,
    async outsideFiles() {
      const names = (await readdir(outside)).sort();
      return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(path.join(outside, name), 'utf8')])));
    },
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}

/** Calls a Mastra tool directly, as an agent would, with an empty (or the given) execution context. */
// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the one tool it calls; a union of every tool's result would only add casts.
export async function callTool(tool: { execute?: (...args: never[]) => unknown }, input: unknown, context: object = {}): Promise<any> {
  return (tool.execute as unknown as (input: unknown, context: object) => Promise<unknown>)(input, context);
}
