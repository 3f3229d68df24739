/**
 * How the file tools reach a path without the kernel ever following a link or `..` out of the
 * workspace. Node has no openat(), so each directory on the way is opened (O_DIRECTORY |
 * O_NOFOLLOW) and the next name is looked up through `/proc/self/fd/<fd>/<name>`: the kernel
 * resolves that magic link to the open directory itself, not to a path that could have been
 * swapped since, which makes it openat() on Linux. A link met on the way is read and followed by
 * hand: its target is checked against the root lexically (every directory before it was walked
 * for real, so `..` in it means the real parent) and the walk starts again from the root. A
 * command swapping a directory for a link mid-walk can only make an open fail, never lead out.
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

// Linux gives up after 40 links (ELOOP); links followed by hand get the same budget.
const MAX_LINK_HOPS = 40;

/** Where a workspace path leads: the open directory holding it and its name there. */
export interface WalkedEntry {
  /** The open directory holding the entry; the caller closes it. */
  readonly parent: FileHandle;
  /** The entry's name in `parent`; '.' for the root. */
  readonly name: string;
  /** The path relative to the root, links inside resolved; '.' for the root. */
  readonly relative: string;
  /** The entry itself (lstat), null when it does not exist. */
  readonly stats: Stats | null;
}

/** Options of {@link walkWorkspace}. */
export interface WalkOptions {
  /** Create missing directories on the way (mode 0755). @default false */
  readonly createParents?: boolean;
}

/** A link met at `components[index]`, with its target. */
interface LinkMet {
  readonly index: number;
  readonly target: string;
}

/** `name` inside the open `directory`, as a path the kernel resolves from the descriptor (openat on Linux). */
export const pathAt = (directory: FileHandle, name: string) => `/proc/self/fd/${directory.fd}/${name}`;

const errnoError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** Opens the directory `name` inside `directory` without following it; a link comes back as its target. */
async function openChild(directory: FileHandle, name: string, createParents: boolean): Promise<FileHandle | { target: string }> {
  try {
    return await open(pathAt(directory, name), DIRECTORY_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && createParents) {
      await mkdir(pathAt(directory, name), 0o755).catch((mkdirError: NodeJS.ErrnoException) => {
        if (mkdirError.code !== 'EEXIST') throw mkdirError;
      });
      return openChild(directory, name, false);
    }
    // O_DIRECTORY | O_NOFOLLOW on a link fails with ENOTDIR: tell a link from a file.
    if ((code === 'ENOTDIR' || code === 'ELOOP') && (await lstat(pathAt(directory, name))).isSymbolicLink()) {
      return { target: await readlink(pathAt(directory, name)) };
    }
    throw error;
  }
}

/** Opens `directory` as a child of `parent` (O_NOFOLLOW): a link or a file there fails with ENOTDIR. */
export const openDirectoryAt = (parent: FileHandle, name: string) => open(pathAt(parent, name), DIRECTORY_FLAGS);

/** Opens the root and checks it is still the directory the workspace was created on. */
async function openRoot(workspace: Workspace): Promise<FileHandle> {
  const handle = await open(workspace.root, DIRECTORY_FLAGS);
  const { dev, ino } = await handle.stat();
  if (dev !== workspace.rootIdentity.dev || ino !== workspace.rootIdentity.ino) {
    await handle.close();
    throw new Error(`The workspace root ${workspace.root} was replaced after the tools were created`);
  }
  return handle;
}

/** One walk from the root along `components`; stops at the first link (the last one only when it is to be followed). */
async function walkOnce(workspace: Workspace, components: readonly string[], createParents: boolean): Promise<WalkedEntry | LinkMet> {
  let directory = await openRoot(workspace);
  try {
    for (const [index, name] of components.slice(0, -1).entries()) {
      const next = await openChild(directory, name, createParents);
      if ('target' in next) {
        await directory.close();
        return { index, target: next.target };
      }
      await directory.close();
      directory = next;
    }
    const name = components.at(-1);
    if (name === undefined) return { parent: directory, name: '.', relative: '.', stats: await directory.stat() };
    const stats = await lstat(pathAt(directory, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (stats?.isSymbolicLink()) {
      const target = await readlink(pathAt(directory, name));
      await directory.close();
      return { index: components.length - 1, target };
    }
    return { parent: directory, name, relative: components.join('/'), stats };
  } catch (error) {
    await directory.close().catch(() => undefined);
    throw error;
  }
}

/** The components after following the link at `components[index]`; throws WorkspaceEscapeError when it leads out. */
function followLink(workspace: Workspace, requested: string, components: readonly string[], { index, target }: LinkMet): string[] {
  const linkDirectory = path.join(workspace.root, ...components.slice(0, index));
  const resolved = path.resolve(linkDirectory, target, ...components.slice(index + 1));
  if (!workspace.contains(resolved)) throw new WorkspaceEscapeError(requested, 'a symbolic link on it leads out');
  return path
    .relative(workspace.root, resolved)
    .split(path.sep)
    .filter((name) => name !== '');
}

/**
 * Walks to `requested` inside `workspace` without following any link by path (see the module
 * comment); links inside are followed by hand, every one of them, the last included. Throws
 * WorkspaceEscapeError for a path or link leading out, errno errors (ENOENT, ENOTDIR, ELOOP) otherwise.
 */
export async function walkWorkspace(workspace: Workspace, requested: string, { createParents = false }: WalkOptions = {}): Promise<WalkedEntry> {
  let components = workspace.components(requested);
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const step = await walkOnce(workspace, components, createParents);
    if (!('target' in step)) return step;
    components = followLink(workspace, requested, components, step);
  }
  throw errnoError('ELOOP', `Too many symbolic links: ${requested}`);
}

/** `it is a FIFO`-style words for a file that is neither regular nor a directory. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** Why the tools must not open `stats` as a file, or null: directories, special files, and (unless allowed) files with several hard links. */
export function fileRefusal(stats: Stats, { allowHardLinks }: { allowHardLinks: boolean }): string | null {
  if (stats.isDirectory()) return 'it is a directory';
  if (!stats.isFile()) return `it is not a regular file (${kindOf(stats)})`;
  if (stats.nlink > 1 && !allowHardLinks) return `it has ${stats.nlink} hard links, so another name for it may be outside the workspace`;
  return null;
}

/** Whether two stats describe the same file (the entry did not change between lstat and open). */
export const isSameFile = (first: Stats, second: Stats) => first.dev === second.dev && first.ino === second.ino;

/** An ENOENT error for `requested`, as fs would throw it. */
export const notFound = (requested: string) => errnoError('ENOENT', `No such file or directory: ${requested}`);
