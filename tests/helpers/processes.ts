import { readdirSync, readFileSync } from 'node:fs';

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

/** The pids whose parent is `pid`, read from /proc. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command name, which may itself hold spaces and parentheses: state, ppid, …
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // Ended while the folder was read.
    }
  }
  return children;
}

/** The last of `pid`'s descendants, child after child, whose command line holds `argument` (npm → sh → node src/cli.ts: the node). */
export function innermostWith(pid: number, argument: string): number {
  const holds = (child: number) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(argument);
    } catch {
      return false;
    }
  };
  let innermost = pid;
  for (let next = childrenOf(pid).find(holds); next !== undefined; next = childrenOf(innermost).find(holds)) innermost = next;
  return innermost;
}
