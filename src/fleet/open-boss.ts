import { PgBoss } from 'pg-boss';
import { POSTGRES_TIMEOUTS } from '../storage/postgres-pool.ts';
import { type FleetSettings, RETRY_DELAY_SECONDS, runQueue, stepQueue } from './fleet-settings.ts';

/** Longest a run job may stay with one worker before pg-boss fails it (its cap: 24 h); a run that long is resumed by the retry. */
const RUN_EXPIRE_SECONDS = 24 * 3600;
/** Takeovers of one run before its job fails for good (each dead or frozen worker costs one). */
const RUN_RETRY_LIMIT = 20;
/** Re-runs of one step attempt after its worker died: at most once, then the run's own retry policy decides. */
const STEP_RETRY_LIMIT = 1;

/** Connections of a pg-boss instance for its own work (fetches, heartbeats, the monitor, job lookups): pg-boss's default pool. */
const BOSS_CONNECTIONS = 10;

/** How a pg-boss instance is opened. */
export interface OpenBossOptions {
  /** This instance is a worker's: it runs the monitor that fails silent workers' jobs and listens for new jobs (a client needs neither). */
  readonly supervise: boolean;
  /**
   * Connections held for a whole job: a transactional step job keeps one from its start to its
   * completion. Added to the pool, so heartbeats and fetches never wait behind running steps
   * (a starved heartbeat makes a live worker's jobs look dead). @default 0
   */
  readonly heldConnections?: number | undefined;
}

/** Starts a pg-boss instance on the fleet's database (pg-boss installs its schema on first start). */
export async function openBoss(settings: FleetSettings, { supervise, heldConnections = 0 }: OpenBossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: settings.connectionString,
    schema: settings.schema,
    max: BOSS_CONNECTIONS + heldConnections,
    // Connecting, and waiting for a free connection, are bounded as the stores' are (pg-boss's own
    // default is the same 10 s; set here so the fleet has one limit). No statement_timeout or
    // query_timeout: pg-boss's maintenance and migrations grow with its tables, and it bounds its
    // transactional handlers itself (transaction_timeout / idle_in_transaction_session_timeout).
    connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectionTimeoutMs,
    supervise,
    monitorIntervalSeconds: settings.monitorIntervalSeconds,
    superviseIntervalSeconds: settings.monitorIntervalSeconds,
    // Workers are woken by a NOTIFY when a job is created, instead of waiting for their next poll (which stays, as a floor).
    useListenNotify: supervise,
  });
  // pg-boss reports a lost connection or a failed maintenance pass as 'error' events; an unheard 'error' would end the process.
  boss.on('error', () => {});
  await boss.start();
  return boss;
}

/**
 * Creates `agent`'s two queues when missing (a queue that exists keeps the settings it was created
 * with: the heartbeat of the first worker or client that made it).
 */
export async function createAgentQueues(boss: PgBoss, settings: FleetSettings, agent: string): Promise<void> {
  const common = { heartbeatSeconds: settings.heartbeatSeconds, retryDelay: RETRY_DELAY_SECONDS, notify: true };
  await boss.createQueue(runQueue(agent), { ...common, retryLimit: RUN_RETRY_LIMIT, expireInSeconds: RUN_EXPIRE_SECONDS });
  await boss.createQueue(stepQueue(agent), { ...common, retryLimit: STEP_RETRY_LIMIT, expireInSeconds: RUN_EXPIRE_SECONDS });
}
