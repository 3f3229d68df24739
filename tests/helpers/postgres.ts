/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp folder, a server on a free port of
 * 127.0.0.1 (no durability settings: fsync off), password auth. `stop()` shuts it down and removes
 * the folder. The tests do not skip without PostgreSQL: `startPostgres` throws, saying what to install.
 * @example
 * let cluster: PostgresCluster;
 * beforeAll(async () => void (cluster = await startPostgres()), 60_000);
 * afterAll(() => cluster?.stop());
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A running throwaway cluster. */
export interface PostgresCluster {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly connectionString: string;
  /** Stops the server (fast shutdown) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const DEBIAN_BIN_ROOT = '/usr/lib/postgresql';
const TOOLS = ['initdb', 'postgres', 'pg_ctl', 'pg_isready'];
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 30_000;
// A throwaway cluster needs no durability.
const FAST_SETTINGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
const NOT_INSTALLED =
  'PostgreSQL is not installed: the PostgreSQL tests start a throwaway cluster with initdb and postgres, found them neither on PATH ' +
  `nor in ${DEBIAN_BIN_ROOT}/*/bin. Install the server (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql) ` +
  `or set PG_BIN to the folder holding ${TOOLS.join(', ')}.`;

/** The folder of the server's tools (TOOLS): $PG_BIN, then PATH, then the newest Debian version. */
function findBinaries(): string {
  const candidates = [process.env.PG_BIN];
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) candidates.push(join(onPath, '..'));
  if (existsSync(DEBIAN_BIN_ROOT)) {
    const versions = readdirSync(DEBIAN_BIN_ROOT).filter((name) => /^\d+$/.test(name));
    versions.sort((left, right) => Number(right) - Number(left));
    candidates.push(...versions.map((version) => join(DEBIAN_BIN_ROOT, version, 'bin')));
  }
  const found = candidates.find((dir) => dir && TOOLS.every((tool) => existsSync(join(dir, tool))));
  if (!found) throw new Error(NOT_INSTALLED);
  return found;
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
function serverUser(): { readonly prefix: string[]; readonly uid: number; readonly gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { prefix: ['runuser', '-u', 'postgres', '--'], uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(`Running as root, but there is no 'postgres' user to run the server as. ${NOT_INSTALLED}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates and starts a cluster; on failure removes what it created and throws with the server log. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findBinaries();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'pe-pg-'));
  const dataDir = join(dir, 'data');
  const serverLog = join(dir, 'server.log');
  const command = (tool: string, args: string[]) => {
    const [file, ...rest] = [...(user?.prefix ?? []), join(bin, tool), ...args];
    return [file!, rest] as const;
  };
  const exec = (tool: string, args: string[]) => run(...command(tool, args), { cwd: dir });
  const logTail = () => (existsSync(serverLog) ? readFileSync(serverLog, 'utf8').trim().split('\n').slice(-10).join('\n') : '(no server log)');
  let server: { readonly exited: Promise<unknown>; readonly hasExited: () => boolean } | null = null;
  // If the test process dies before afterAll, do not leave a server behind.
  const stopOnExit = () => {
    if (server && !server.hasExited()) spawnSync(...command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);

  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    if (server && !server.hasExited()) await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    await server?.exited;
    server = null;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const password = randomBytes(16).toString('hex');
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) {
      chownSync(dir, user.uid, user.gid);
      chownSync(passwordFile, user.uid, user.gid);
    }
    chmodSync(dir, 0o700);
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale']);
    rmSync(passwordFile);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      server = startServer(command('postgres', ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir, ...FAST_SETTINGS]), dir, serverLog);
      if (await isReady(bin, port, server)) return { connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
      // The server exited: another process may have taken the port between freePort() and its bind.
      if (attempt === START_ATTEMPTS) throw new Error(`the server exited ${START_ATTEMPTS} times before accepting connections`);
    }
  } catch (error) {
    const message = `Could not start a throwaway PostgreSQL with ${bin}: ${(error as Error).message.trim()}\nserver log:\n${logTail()}`;
    await stop().catch(() => {});
    throw new Error(message, { cause: error });
  }
}

/**
 * Runs the server as a child of this process (not daemonized by pg_ctl), so that its parent
 * reaps it on shutdown instead of leaving a zombie for init.
 */
function startServer([file, args]: readonly [string, readonly string[]], cwd: string, serverLog: string) {
  const logFd = openSync(serverLog, 'a');
  const child = spawn(file, args, { cwd, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let hasExited = false;
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => void (hasExited = true));
  return { exited, hasExited: () => hasExited };
}

/** Polls pg_isready until the server accepts connections (true) or exits (false). */
async function isReady(bin: string, port: number, server: { readonly hasExited: () => boolean }): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!server.hasExited()) {
    const isAccepting = await run(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', '1']).then(
      () => true,
      () => false,
    );
    if (isAccepting) return true;
    if (Date.now() > deadline) throw new Error(`the server did not accept connections within ${READY_TIMEOUT_MS} ms`);
    await delay(100);
  }
  return false;
}
