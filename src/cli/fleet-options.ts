/**
 * What the fleet commands (worker, submit, status, approve) share: the database URL (--db, else
 * PLAN_EXECUTE_DB) and the redaction of its password, the agent name, and how a database that
 * cannot be reached is reported. Loads neither pg-boss nor Mastra: --help and usage errors stay fast.
 */
import { isPlanExecuteError } from '../engine/errors.ts';
import { createRedactor, REDACTED, type Redactor, secretsFromEnv, urlSecrets } from '../engine/redact.ts';
import type { FleetClient } from '../fleet/fleet-client.ts';
import { checkAgentName } from '../fleet/fleet-settings.ts';
import { UsageError } from './args.ts';
import { withEnvFile } from './env-file.ts';
import { EXIT } from './exit-codes.ts';
import { writeLine, type CliIo } from './io.ts';

/** The variable the fleet commands read the database URL from when --db is absent (the environment, then ./.env). */
export const FLEET_DB_VARIABLE = 'PLAN_EXECUTE_DB';

/** What `worker` passes to `startWorker` unless told otherwise; its usage text quotes them. */
export const WORKER_DEFAULTS = Object.freeze({
  /** Runs at once per agent (--concurrency). */
  concurrency: 2,
  /** Step jobs at once per agent (--step-concurrency). */
  stepConcurrency: 4,
  /** How long a stopping worker lets running jobs finish before other workers take them over, in ms. */
  stopTimeoutMs: 30_000,
});

/** The fleet's database as a command uses it. */
export interface FleetDatabase {
  /** The URL to connect with, password included: never print it. */
  readonly url: string;
  /** The URL to show: the password replaced by [REDACTED]. */
  readonly shown: string;
  /** The password (as written and decoded) and the environment's secrets: what `redact` removes. */
  readonly secrets: readonly string[];
  /** Removes the secrets from a text, a value or an Error (a copy keeping its class). */
  readonly redact: Redactor;
  /** The environment with ./.env added, as the command read it. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const BAD_URL = `must be a PostgreSQL URL such as postgres://user:password@host:5432/database`;

/**
 * The database of --db, else of PLAN_EXECUTE_DB (environment, then ./.env). A UsageError when
 * neither is set or the value is not a postgres:// URL; the message never repeats the value,
 * which may hold a password.
 */
export async function fleetDatabase(flag: string | undefined, io: Pick<CliIo, 'env' | 'cwd'>, usage: string): Promise<FleetDatabase> {
  const env = await withEnvFile(io.env, io.cwd);
  const raw = flag ?? env[FLEET_DB_VARIABLE];
  const where = flag === undefined ? FLEET_DB_VARIABLE : '--db';
  if (raw === undefined || raw.trim() === '') throw new UsageError(`missing --db (or ${FLEET_DB_VARIABLE}): the fleet's PostgreSQL URL`, usage);
  const url = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${where} ${BAD_URL}`, usage);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new UsageError(`${where} ${BAD_URL}`, usage);
  // The password as written and decoded, and pg's `?password=` (any length: the user chose it as the secret).
  const passwords = urlSecrets(url, 1);
  // The environment's secrets too: keys read from ./.env are not in process.env, where the agents look for them.
  const secrets = [...new Set([...passwords, ...secretsFromEnv(env)])];
  const redact = createRedactor({ extra: secrets });
  return { url, shown: redact(shownUrl(parsed)), secrets, redact, env };
}

/** `postgres://user:[REDACTED]@host:5432/database`, and `?…` for a query, which may hold options and secrets. */
function shownUrl(url: URL): string {
  const user = url.username ? `${url.username}${url.password ? `:${REDACTED}` : ''}@` : '';
  return `${url.protocol}//${user}${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

/** `--agent`'s value checked as the fleet checks agent names; a UsageError otherwise. */
export function agentOption(raw: string, usage: string): string {
  try {
    return checkAgentName(raw);
  } catch (error) {
    if (!isPlanExecuteError(error, 'INVALID_OPTIONS')) throw error;
    throw new UsageError(`--agent must be lower-case letters, digits and hyphens (at most 40), got ${JSON.stringify(raw)}`, usage);
  }
}

/** A UsageError when a command that takes no argument got one. */
export function noPositionals(positionals: readonly string[], usage: string): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, usage);
}

/** Thrown by `connecting` when the database cannot be used; `guardFleetCommand` reports it. */
class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/** Why a connection failed, in one line: Node's AggregateError (IPv4 and IPv6 both refused) has an empty message. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return [...new Set(error.errors.map(reasonOf))].join('; ');
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}

/** Runs `connect` (FleetClient.connect, startWorker); any error but the library's own means the database cannot be used. */
export async function connecting<T>(connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    if (isPlanExecuteError(error)) throw error;
    throw new DatabaseUnavailableError(reasonOf(error), { cause: error });
  }
}

/**
 * Runs the body of a fleet command (`who`: `plan-execute submit`): a database that cannot be used is one line on stderr (the URL
 * shown without its password) and exit 69; any other error goes to main() with every secret
 * removed from its message and stack.
 */
export async function guardFleetCommand(who: string, database: FleetDatabase, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      writeLine(io.stderr, database.redact(`${who}: cannot use the fleet's database at ${database.shown}: ${error.message}`));
      // 69, EX_UNAVAILABLE: refused, unknown host, bad password.
      return EXIT.unavailable;
    }
    throw database.redact(error);
  }
}

/**
 * The body of `submit`, `status` and `approve`: guarded as by `guardFleetCommand`, with a
 * FleetClient on the database (loaded only now: pg-boss is not needed for a usage error) that
 * redacts the database's secrets from submitted tasks and is closed however `use` ends.
 */
export function withFleetClient(who: string, database: FleetDatabase, io: CliIo, use: (client: FleetClient) => Promise<number>): Promise<number> {
  return guardFleetCommand(who, database, io, async () => {
    const { FleetClient } = await import('../fleet/index.ts');
    const client = await connecting(() => FleetClient.connect({ connectionString: database.url, redact: database.secrets }));
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  });
}
