import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';

/**
 * The variable that marks every process a command started when there is no sandbox. A daemon
 * that calls setsid() and whose parent exits leaves the process group and the session and is
 * re-parented, so neither the group nor the parent chain finds it; the environment it inherited
 * still names the command (in /proc/<pid>/environ, which shows it as it was at exec).
 */
export const COMMAND_MARKER_VARIABLE = 'PLAN_EXECUTE_COMMAND_ID';

/** Rounds of find-and-kill: a process forking while it is killed leaves children for the next round. */
const MAX_SWEEP_ROUNDS = 8;

/** One row of the process table. */
interface ProcessEntry {
  readonly pid: number;
  readonly parentPid: number;
  readonly groupId: number;
  readonly sessionId: number;
  readonly isZombie: boolean;
}

/** A fresh marker value for one command. */
export const newCommandMarker = () => randomUUID();

/** Parses /proc/<pid>/stat: the fields after the command name, which is in parentheses and may hold any character. */
function parseStat(pid: number, stat: string): ProcessEntry | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 4) return null;
  return { pid, isZombie: fields[0] === 'Z', parentPid: Number(fields[1]), groupId: Number(fields[2]), sessionId: Number(fields[3]) };
}

/** Every live process this user can see but this one; ones that vanish while being read are left out. */
export async function processTable(): Promise<ProcessEntry[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(
    pids.map((pid) =>
      readFile(`/proc/${pid}/stat`, 'utf8').then(
        (stat) => parseStat(pid, stat),
        () => null,
      ),
    ),
  );
  return entries.filter((entry): entry is ProcessEntry => entry !== null && !entry.isZombie && entry.pid !== process.pid);
}

/** Whether the environment `pid` started with holds the marker (false when unreadable: another user's process). */
async function carriesMarker(pid: number, marker: string): Promise<boolean> {
  const environment = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  return `\0${environment}`.includes(`\0${COMMAND_MARKER_VARIABLE}=${marker}\0`);
}

/**
 * The live processes the command `rootPid` started: its descendants by parent chain, its process
 * group and session (the command was started as their leader), and any process whose starting
 * environment carries `marker`.
 */
async function findCommandProcesses(rootPid: number, marker: string): Promise<number[]> {
  const table = await processTable();
  const found = new Set<number>(
    table.filter((entry) => entry.groupId === rootPid || entry.sessionId === rootPid || entry.pid === rootPid).map((entry) => entry.pid),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table) {
      if (found.has(entry.pid) || !(found.has(entry.parentPid) || entry.parentPid === rootPid)) continue;
      found.add(entry.pid);
      grew = true;
    }
  }
  const rest = table.filter((entry) => !found.has(entry.pid));
  const marked = await Promise.all(rest.map(async (entry) => ((await carriesMarker(entry.pid, marker)) ? entry.pid : null)));
  for (const pid of marked) if (pid !== null) found.add(pid);
  return [...found];
}

/** SIGKILL to every process the command started, in rounds until none is left (at most 8 rounds). Never throws. */
export async function killCommandProcesses(rootPid: number, marker: string): Promise<void> {
  for (let round = 0; round < MAX_SWEEP_ROUNDS; round++) {
    const pids = await findCommandProcesses(rootPid, marker).catch(() => []);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ESRCH: it ended meanwhile.
      }
    }
  }
}
