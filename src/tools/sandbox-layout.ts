import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** The program and library folders every sandbox shows read-only (those that exist; merged-/usr links kept as links). */
const SYSTEM_DIRECTORIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The pieces of /etc that programs such as python3, git, ls and pip need, and nothing more: user
 * and group names, the dynamic linker's cache, the `alternatives` links many /usr/bin programs go
 * through (awk, editor, java), Debian's python config, the time zone and the CA certificates —
 * not the rest of /etc/ssl: /etc/ssl/private holds the host's TLS keys (PostgreSQL's ssl-cert
 * package puts one there), which a command run as root would read.
 */
const ETC_FILES = [
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/localtime',
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
  '/etc/ca-certificates',
];

/** Name resolution, only when the network is allowed. */
const NETWORK_ETC_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/host.conf', '/etc/gai.conf', '/etc/services', '/etc/protocols'];

/** Namespaces, privileges and lifetime: everything but the file system. */
const ISOLATION_FLAGS = [
  '--unshare-all', // new user, PID, network, IPC, UTS and cgroup namespaces
  '--unshare-user', // explicit, so the next flag can lock it
  '--disable-userns', // no nested user namespace: it would hand the command capabilities again
  '--cap-drop', // run as root, bwrap would otherwise leave every capability, enough to remount /usr writable
  'ALL',
  '--die-with-parent', // the sandbox goes when the agent's process dies
  '--new-session', // no TIOCSTI keystrokes into a terminal the agent holds
];

/** What one sandboxed command sees and runs. */
export interface SandboxRequest {
  /** The workspace's real path: the only writable folder, mounted at this same path inside. */
  readonly workspaceRoot: string;
  /** Absolute working directory, inside the workspace. */
  readonly cwd: string;
  /** Keep the host's network namespace (and name resolution files). */
  readonly allowNetwork: boolean;
  /** Extra host paths shown read-only at the same path. */
  readonly readOnlyPaths: readonly string[];
  /** The program: an absolute path, or a bare name bwrap looks up on the sandbox's PATH. */
  readonly executable: string;
  /** Its arguments. */
  readonly args: readonly string[];
}

/** `--ro-bind` for each system folder that is a real directory, `--symlink` for each merged-/usr link (/bin → usr/bin). */
export function systemBinds(): string[] {
  const binds: string[] = [];
  for (const directory of SYSTEM_DIRECTORIES) {
    try {
      const stats = lstatSync(directory);
      if (stats.isSymbolicLink()) binds.push('--symlink', readlinkSync(directory), directory);
      else if (stats.isDirectory()) binds.push('--ro-bind', directory, directory);
    } catch {
      // Absent on this machine (lib32, libx32 mostly are).
    }
  }
  return binds;
}

/** Debian's per-version python folders (/etc/python3, /etc/python3.11): sitecustomize.py links there. */
function pythonEtc(): string[] {
  try {
    return readdirSync('/etc')
      .filter((name) => /^python3(\.\d+)?$/.test(name))
      .map((name) => `/etc/${name}`);
  } catch {
    return [];
  }
}

/** The folders a program found inside the sandbox may live in: the system folders, the extra read-only paths and the workspace. */
export function visibleRoots(workspaceRoot: string, readOnlyPaths: readonly string[]): string[] {
  return [...SYSTEM_DIRECTORIES, ...readOnlyPaths, workspaceRoot];
}

/** Whether `absolutePath` is `root` or below it. */
export const isWithin = (absolutePath: string, root: string) => absolutePath === root || absolutePath.startsWith(root.endsWith('/') ? root : `${root}/`);

/**
 * The whole bwrap argument list for one command: isolation flags, the system folders and /etc
 * pieces read-only, a fresh /proc and /dev, a private /tmp, the extra read-only paths, then the
 * workspace read-write at its own path (mounted last, so a workspace under /tmp or under an extra
 * path shows through), the working directory and the program. The environment is not in the
 * arguments (they are visible to every process of the host): bwrap is spawned with it.
 */
export function bubblewrapArgs(request: SandboxRequest): string[] {
  const { workspaceRoot, cwd, allowNetwork, readOnlyPaths, executable, args } = request;
  const etc = [...ETC_FILES, ...pythonEtc(), ...(allowNetwork ? NETWORK_ETC_FILES : [])];
  return [
    ...ISOLATION_FLAGS,
    ...(allowNetwork ? ['--share-net'] : []),
    ...systemBinds(),
    ...etc.flatMap((file) => ['--ro-bind-try', file, file]),
    ...['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'],
    // Before the workspace: a read-only path holding the workspace (a home folder) must not cover it.
    ...readOnlyPaths.flatMap((extra) => ['--ro-bind', extra, extra]),
    ...['--bind', workspaceRoot, workspaceRoot],
    ...['--chdir', cwd],
    '--',
    executable,
    ...args,
  ];
}

/** Why `workspaceRoot` cannot be the sandbox's writable folder (it would cover or sit in a read-only system folder), or null. */
export function workspaceOverlap(workspaceRoot: string): string | null {
  if (workspaceRoot === path.sep) return 'it is the file system root';
  const system = [...SYSTEM_DIRECTORIES, '/etc', '/proc', '/dev'].find((directory) => isWithin(workspaceRoot, directory) || isWithin(directory, workspaceRoot));
  return system ? `it overlaps the system folder ${system}` : null;
}
