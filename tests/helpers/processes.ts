import { readFileSync } from 'node:fs';

/** Whether `pid` is a live process (a zombie awaiting its parent's wait counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // Reaped between the two looks.
    return false;
  }
}

/** Waits (at most 3 s) for `pid` to be gone; true once it is. */
export async function isGone(pid: number): Promise<boolean> {
  for (let waited = 0; waited < 3_000; waited += 50) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
