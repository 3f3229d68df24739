import { PgBoss } from 'pg-boss';
import { type FleetSettings, runQueue, stepQueue } from './fleet-settings.ts';

/** Longest a run job may stay with one worker before pg-boss fails it (its cap: 24 h); a run that long is resumed by the retry. */
const RUN_EXPIRE_SECONDS = 24 * 3600;
/** Takeovers of one run before its job fails for good (each dead or frozen worker costs one). */
const RUN_RETRY_LIMIT = 20;
/** Re-runs of one step attempt after its worker died: at most once, then the run's own retry policy decides. */
const STEP_RETRY_LIMIT = 1;
/** Pause before a failed job is offered again, in seconds. */
const RETRY_DELAY_SECONDS = 1;

/**
 * Starts a pg-boss instance on the fleet's database (pg-boss installs its schema on first start).
 * `supervise`: this instance is a worker's — it runs the monitor that fails silent workers' jobs
 * and listens for new jobs (a client needs neither).
 */
export async function openBoss(settings: FleetSettings, { supervise }: { readonly supervise: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: settings.connectionString,
    schema: settings.schema,
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
