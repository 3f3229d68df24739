import { InvalidOptionsError } from '../engine/errors.ts';

/** Where the fleet's queues and runs live, and how fast a dead worker's work is taken over. */
export interface FleetOptions {
  /** The PostgreSQL URL of the fleet: `postgres://user:password@host:5432/database`. Runs, queues and step replies live there. */
  readonly connectionString: string;
  /** The schema pg-boss keeps its queues in. @default 'plan_execute_queue' */
  readonly schema?: string | undefined;
  /**
   * How often a worker proves it still holds a job, in seconds (pg-boss's minimum is 10): a job
   * whose worker stayed silent this long is given to another worker. Also the run lease's length.
   * @default 10
   */
  readonly heartbeatSeconds?: number | undefined;
  /** How often pg-boss looks for silent workers' jobs, in seconds (at least 1). @default 2 */
  readonly monitorIntervalSeconds?: number | undefined;
  /** How often an idle worker asks for new jobs, in seconds (at least 0.5). @default 0.5 */
  readonly pollingIntervalSeconds?: number | undefined;
}

/** FleetOptions with every default filled in. */
export interface FleetSettings {
  readonly connectionString: string;
  readonly schema: string;
  readonly heartbeatSeconds: number;
  readonly monitorIntervalSeconds: number;
  readonly pollingIntervalSeconds: number;
}

/** The agent a run goes to when `submitRun` names none. */
export const DEFAULT_AGENT = 'default';

/** The queue of `agent`'s run jobs (start, verdict, cancel): only workers that registered that agent take them. */
export const runQueue = (agent: string) => `plan-execute-runs/${agent}`;
/** The queue of `agent`'s step jobs, in step mode. */
export const stepQueue = (agent: string) => `plan-execute-steps/${agent}`;

/** InvalidOptionsError unless `agent` is a usable agent name: lower-case letters, digits and hyphens, at most 40. */
export function checkAgentName(agent: unknown): string {
  if (typeof agent === 'string' && /^[a-z0-9][a-z0-9-]{0,39}$/.test(agent)) return agent;
  throw new InvalidOptionsError(`Expected an agent name of lower-case letters, digits and hyphens (at most 40), got ${JSON.stringify(agent)}`);
}

/** Defaults of FleetOptions: a dead worker's job is taken over after at most about 13.5 s. */
export const FLEET_DEFAULTS = { schema: 'plan_execute_queue', heartbeatSeconds: 10, monitorIntervalSeconds: 2, pollingIntervalSeconds: 0.5 } as const;

/** Pause before pg-boss offers a failed job again (a dead worker's included), in seconds. */
export const RETRY_DELAY_SECONDS = 1;

/**
 * The longest a dead worker's job waits before another worker takes it, in ms: the heartbeat that
 * lapses, the monitor pass that notices, pg-boss's retry delay, the poll that fetches. 13.5 s with
 * the defaults.
 */
export function takeoverBoundMs(settings: FleetSettings): number {
  return (settings.heartbeatSeconds + settings.monitorIntervalSeconds + RETRY_DELAY_SECONDS + settings.pollingIntervalSeconds) * 1000;
}

/** Fills in the defaults; InvalidOptionsError for a missing URL or an out-of-range interval. */
export function resolveFleetSettings(options: FleetOptions): FleetSettings {
  if (typeof options?.connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(options.connectionString)) {
    throw new InvalidOptionsError('Expected `connectionString` to be a PostgreSQL URL (postgres://user:password@host:5432/database)');
  }
  const settings: FleetSettings = {
    connectionString: options.connectionString,
    schema: options.schema ?? FLEET_DEFAULTS.schema,
    heartbeatSeconds: options.heartbeatSeconds ?? FLEET_DEFAULTS.heartbeatSeconds,
    monitorIntervalSeconds: options.monitorIntervalSeconds ?? FLEET_DEFAULTS.monitorIntervalSeconds,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? FLEET_DEFAULTS.pollingIntervalSeconds,
  };
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(settings.schema))
    throw new InvalidOptionsError(`Expected \`schema\` to be a lower-case SQL name, got ${JSON.stringify(settings.schema)}`);
  expectRange('heartbeatSeconds', settings.heartbeatSeconds, 10, 3600, true);
  expectRange('monitorIntervalSeconds', settings.monitorIntervalSeconds, 1, 3600, true);
  expectRange('pollingIntervalSeconds', settings.pollingIntervalSeconds, 0.5, 60, false);
  return settings;
}

function expectRange(name: string, value: number, min: number, max: number, integer: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) throw new InvalidOptionsError(`Expected \`${name}\` to be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
}
