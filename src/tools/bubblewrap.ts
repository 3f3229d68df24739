import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { systemBinds } from './sandbox-layout.ts';

/** Where bubblewrap was found and whether it can build a sandbox on this machine. */
export type BubblewrapProbe = { readonly usable: true; readonly path: string } | { readonly usable: false; readonly reason: string };

/** Directories searched for `bwrap` after the process's PATH (a daemon may run with a short PATH). */
const FALLBACK_SEARCH = ['/usr/bin', '/bin', '/usr/local/bin'];

/** The probe's own time limit: a sandbox that cannot start `true` in 5 s is not usable. */
const PROBE_TIMEOUT_MS = 5_000;

/** One probe per bwrap path and process: every command tool of the process shares the answer. */
const probes = new Map<string, BubblewrapProbe>();

function isExecutable(candidate: string): boolean {
  try {
    accessSync(candidate, constants.X_OK);
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** The first executable `bwrap` on PATH (absolute entries only), then in the usual system folders; null when none. */
export function findBubblewrap(searchPath = process.env.PATH ?? ''): string | null {
  const directories = [...searchPath.split(path.delimiter).filter((entry) => path.isAbsolute(entry)), ...FALLBACK_SEARCH];
  for (const directory of directories) {
    const candidate = path.join(directory, 'bwrap');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Runs `true` in the same kind of sandbox the tool builds: namespaces, user namespace locked, capabilities dropped. */
function runProbe(bwrapPath: string): BubblewrapProbe {
  const trueProgram = ['/usr/bin/true', '/bin/true'].find(isExecutable);
  if (!trueProgram) return { usable: false, reason: 'no /usr/bin/true to test the sandbox with' };
  const args = ['--unshare-all', '--unshare-user', '--disable-userns', '--cap-drop', 'ALL', '--die-with-parent', '--new-session'];
  const run = spawnSync(bwrapPath, [...args, ...systemBinds(), '--proc', '/proc', '--dev', '/dev', '--', trueProgram], {
    env: {},
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: PROBE_TIMEOUT_MS,
  });
  if (run.status === 0) return { usable: true, path: bwrapPath };
  const detail = run.error?.message ?? (run.stderr?.toString('utf8').trim() || `exit code ${run.status}, signal ${run.signal}`);
  return { usable: false, reason: `${bwrapPath} cannot create a sandbox here: ${detail}` };
}

/**
 * Whether bubblewrap can sandbox commands here: `bwrapPath` (else `bwrap` looked up on PATH) must
 * exist and start `true` inside new namespaces (a kernel or container without user namespaces
 * makes it fail). Synchronous, run once per path and process, about 10 ms.
 */
export function probeBubblewrap(bwrapPath?: string): BubblewrapProbe {
  const found = bwrapPath ?? findBubblewrap();
  if (found === null) return { usable: false, reason: 'bwrap (Debian package bubblewrap) is not installed' };
  if (!path.isAbsolute(found) || !isExecutable(found)) return { usable: false, reason: `${found} is not an executable file` };
  let probe = probes.get(found);
  if (!probe) probes.set(found, (probe = runProbe(found)));
  return probe;
}
