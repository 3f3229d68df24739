import { lstat, mkdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidOptionsError } from '../engine/errors.ts';

/** Thrown by `Workspace.resolve` for a path that is absolute, climbs out with `..`, or leads outside through a symbolic link. */
export class WorkspaceEscapeError extends Error {
  /** The path as it was asked for. */
  readonly path: string;

  constructor(requestedPath: string, reason: string) {
    super(`Path ${JSON.stringify(requestedPath)} is outside the workspace: ${reason}`);
    this.name = 'WorkspaceEscapeError';
    this.path = requestedPath;
  }
}

// Linux gives up after 40 links (ELOOP); a dangling link followed by hand gets the same budget.
const MAX_LINK_HOPS = 40;

/**
 * The real path of `absolutePath` even when it does not exist yet: the deepest existing ancestor
 * is resolved (symbolic links included, dangling ones followed by hand) and the rest appended.
 */
async function realpathLoose(absolutePath: string, hops = 0): Promise<string> {
  try {
    return await realpath(absolutePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const stats = await lstat(absolutePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stats?.isSymbolicLink()) {
    if (hops >= MAX_LINK_HOPS) throw Object.assign(new Error(`Too many symbolic links: ${absolutePath}`), { code: 'ELOOP' });
    const target = path.resolve(path.dirname(absolutePath), await readlink(absolutePath));
    return realpathLoose(target, hops + 1);
  }
  return path.join(await realpathLoose(path.dirname(absolutePath), hops), path.basename(absolutePath));
}

/**
 * A directory the tools are confined to. Every path a tool takes is relative to `root` and goes
 * through `resolve`, which refuses absolute paths, `..` escapes and symbolic links that lead out.
 *
 * @example
 * const workspace = await Workspace.create(await mkdtemp(path.join(os.tmpdir(), 'sandbox-')));
 * await workspace.resolve('app/main.py'); // '/tmp/sandbox-x1/app/main.py'
 * await workspace.resolve('../etc');      // throws WorkspaceEscapeError
 */
export class Workspace {
  /** The workspace's absolute real path (symbolic links resolved). */
  readonly root: string;
  /** Device and inode of the root when it was opened: the file tools refuse to work in a root swapped since. */
  readonly rootIdentity: { readonly dev: number; readonly ino: number };

  private constructor(root: string, rootIdentity: { dev: number; ino: number }) {
    this.root = root;
    this.rootIdentity = rootIdentity;
  }

  /** Creates `root` if needed (mkdir -p) and opens it; throws InvalidOptionsError unless `root` is absolute. */
  static async create(root: string): Promise<Workspace> {
    if (typeof root !== 'string' || !path.isAbsolute(root)) {
      throw new InvalidOptionsError(`Expected the workspace root to be an absolute path, got ${JSON.stringify(root)}`);
    }
    await makeDirectories(root);
    const real = await realpath(root);
    const stats = await stat(real);
    if (!stats.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${root}'`), { code: 'ENOTDIR', path: root });
    const { dev, ino } = stats;
    return new Workspace(real, { dev, ino });
  }

  /**
   * The absolute real path of `relativePath` inside the workspace, symbolic links resolved; the
   * path need not exist yet. Throws WorkspaceEscapeError (naming the path) when it is absolute,
   * climbs out with `..`, or leads outside through a symbolic link.
   */
  async resolve(relativePath: string): Promise<string> {
    const real = await realpathLoose(this.lexical(relativePath));
    if (!this.contains(real)) throw new WorkspaceEscapeError(relativePath, 'a symbolic link on it leads out');
    return real;
  }

  /**
   * The real directory holding `relativePath` (resolved and confined like `resolve`) joined with
   * its last name, which is not followed: for a symbolic link it is the link itself.
   */
  async resolveEntry(relativePath: string): Promise<string> {
    const lexical = this.lexical(relativePath);
    if (lexical === this.root) return this.root;
    const directory = await realpathLoose(path.dirname(lexical));
    if (!this.contains(directory)) throw new WorkspaceEscapeError(relativePath, 'a symbolic link on it leads out');
    return path.join(directory, path.basename(lexical));
  }

  /** Whether `absolutePath` is the root or below it (a lexical test; resolve first). */
  contains(absolutePath: string): boolean {
    if (this.root === path.sep) return path.isAbsolute(absolutePath);
    return absolutePath === this.root || absolutePath.startsWith(this.root + path.sep);
  }

  /** The names leading from the root to `relativePath` (`..` and `.` folded lexically; [] for the root); throws WorkspaceEscapeError like `resolve`. */
  components(relativePath: string): string[] {
    return path
      .relative(this.root, this.lexical(relativePath))
      .split(path.sep)
      .filter((name) => name !== '');
  }

  /** `absolutePath` relative to the root, '.' for the root itself: how results name paths. */
  relative(absolutePath: string): string {
    return path.relative(this.root, absolutePath) || '.';
  }

  /** `relativePath` joined to the root and normalised, after the checks that need no file system. */
  private lexical(relativePath: string): string {
    if (typeof relativePath !== 'string') throw new WorkspaceEscapeError(String(relativePath), 'it is not a string');
    if (relativePath.includes('\0')) throw new WorkspaceEscapeError(relativePath, 'it contains a NUL byte');
    if (path.isAbsolute(relativePath)) throw new WorkspaceEscapeError(relativePath, 'it is absolute (give paths relative to the workspace root)');
    const joined = path.resolve(this.root, relativePath);
    if (!this.contains(joined)) throw new WorkspaceEscapeError(relativePath, 'it climbs out with ".."');
    return joined;
  }
}

/**
 * `mkdir -p` one folder at a time. Node's own `{ recursive: true }` never settles where mkdir says
 * ENOENT under an existing parent (/proc/x, at 100 % CPU); this ends with that error instead.
 */
async function makeDirectories(folder: string): Promise<void> {
  // Resolved first, so `a/stray/../ws` makes no `stray`.
  const names = path.resolve(folder).split(path.sep).filter(Boolean);
  for (let index = 1; index <= names.length; index++) {
    try {
      await mkdir(path.join(path.sep, ...names.slice(0, index)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
