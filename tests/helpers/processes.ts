import { readFileSync } from 'node:fs';
import { processTable } from '../../src/tools/process-sweep.ts';

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

/** The last of `pid`'s descendants, child after child, whose command line holds `argument` (npm → sh → node src/cli.ts: the node). */
export async function innermostWith(pid: number, argument: string): Promise<number> {
  const table = await processTable();
  const holds = (child: number) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(argument);
    } catch {
      return false;
    }
  };
  const next = (parent: number) => table.find((entry) => entry.parentPid === parent && holds(entry.pid))?.pid;
  let innermost = pid;
  for (let child = next(pid); child !== undefined; child = next(innermost)) innermost = child;
  return innermost;
}
