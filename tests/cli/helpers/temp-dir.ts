import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs`. */
export function makeTempDir(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  created.push(directory);
  return directory;
}

/** Removes every directory `makeTempDir` made; call it in `afterEach` or `afterAll`. */
export function removeTempDirs(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
}
