import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temp entries a test run must not leave behind: the prefix of the CLI's and the tests' temp folders. */
export const GUARDED_PREFIX = 'plan-execute-';

/** Caches tools keep in the temp directory on purpose (tsx's, and Node's module compile cache under `mastra dev`): not leftovers. */
const CACHE_ENTRY = /^(tsx-\d+|node-compile-cache)$/;

/** The variables `os.tmpdir()` reads (TMPDIR on POSIX, TEMP and TMP on Windows). */
const TEMP_VARIABLES = ['TMPDIR', 'TEMP', 'TMP'] as const;

const isGuarded = (name: string) => name.startsWith(GUARDED_PREFIX);
const listGuarded = (directory: string) => (existsSync(directory) ? readdirSync(directory).filter(isGuarded) : []);

/**
 * Vitest global setup. The run gets a private temp directory (every worker and child process
 * inherits it through TMPDIR), so what a run leaves behind is its own and never another
 * process's. Teardown fails the run when `plan-execute-*` entries remain, in the private
 * directory or in the shared one; it warns about other leftovers and keeps them, since some
 * are kept on purpose (PLAYGROUND_KEEP=1, Studio failure screenshots).
 */
export function setup(): () => void {
  const sharedTemp = tmpdir();
  const before = new Set(listGuarded(sharedTemp));
  const runTemp = mkdtempSync(join(sharedTemp, 'vitest-run-'));
  // Like /tmp itself: the throwaway PostgreSQL runs as the `postgres` user and must reach its folder in here.
  chmodSync(runTemp, 0o1777);
  const previous = TEMP_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of TEMP_VARIABLES) process.env[name] = runTemp;

  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const leftovers = existsSync(runTemp) ? readdirSync(runTemp) : [];
    const escaped = listGuarded(sharedTemp).filter((name) => !before.has(name));
    const leaked = [...leftovers.filter(isGuarded), ...escaped.map((name) => join(sharedTemp, name))];
    const others = leftovers.filter((name) => !isGuarded(name) && !CACHE_ENTRY.test(name));
    if (others.length > 0) console.warn(`Tests left ${others.length} other temp entries, kept in ${runTemp}: ${others.join(', ')}`);
    else rmSync(runTemp, { recursive: true, force: true });
    if (leaked.length > 0) {
      throw new Error(`Tests left ${leaked.length} ${GUARDED_PREFIX}* temp entries (in the run's temp dir unless a path): ${leaked.join(', ')}`);
    }
  };
}
