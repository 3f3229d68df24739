import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/engine/plan-schema.ts';
import { FleetClient } from '../../src/fleet/fleet-client.ts';
import { type FleetWorker, startWorker } from '../../src/fleet/worker.ts';
import { createFleetAgent, fleetTask } from '../fixtures/fleet-world.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { step } from '../helpers/plans.ts';
import { until } from './fleet-client-harness.ts';

/** A secret by its name (…_API_KEY): the client, the agent and the worker take it from the environment. */
const SECRET_NAME = 'FLEET_TEST_API_KEY';
const SECRET = 'fleet-secret-4c1d8e2f9a7b63';
const previous = process.env[SECRET_NAME];

let cluster: PostgresCluster | undefined;
let client: FleetClient;
let worker: FleetWorker;
const lines: string[] = [];

beforeAll(async () => {
  process.env[SECRET_NAME] = SECRET;
  cluster = await startPostgres();
  client = await FleetClient.connect({ connectionString: cluster.connectionString });
  // The tool answers with the secret too: step outputs, step replies and the synthesis all carry it back.
  const agent = createFleetAgent({ delayMs: 5, onRecord: async ({ label, stepId }) => `recorded ${stepId} of ${label} with ${SECRET}` });
  worker = await startWorker({ connectionString: cluster.connectionString, agents: { default: agent }, log: (line) => lines.push(line) });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await client?.close();
  await cluster?.stop();
  if (previous === undefined) delete process.env[SECRET_NAME];
  else process.env[SECRET_NAME] = previous;
});

/** Every row of every table the fleet writes, as text: pg-boss's schema, the submissions and the runs. */
async function everyRow(): Promise<string[]> {
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: cluster!.connectionString });
  try {
    const { rows: tables } = await pool.query<{ name: string }>(
      "SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_schema = 'plan_execute_queue' AND table_type = 'BASE TABLE'",
    );
    const names = [...tables.map((table) => table.name), 'public.plan_execute_fleet_runs', 'public.plan_execute_runs'];
    const rows: string[] = [];
    for (const name of names)
      rows.push(...(await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows.map((row) => `${name}: ${row.row}`));
    return rows;
  } finally {
    await pool.end();
  }
}

describe('secrets on the fleet', () => {
  it('never reach the queue tables, the submissions, the run store or the log: runs, step jobs and edited plans', async () => {
    const task = (label: string) => `${fleetTask(label)} with the key ${SECRET}`;
    const inRunMode = await client.submitRun(task('secret-run'), { runId: 'secret-run' });
    const inStepMode = await client.submitRun(task('secret-steps'), { runId: 'secret-steps', stepMode: 'steps' });
    const approved = await client.submitRun(task('secret-edit'), { runId: 'secret-edit', approval: true });
    await until('the plan to wait for approval', async () => ((await client.getRun(approved))?.state === 'awaiting-approval' ? true : undefined));
    const edited: Plan = {
      goal: `Record one step with ${SECRET}`,
      rationale: null,
      steps: [step('a', [], { toolHint: 'record', description: `Do a with ${SECRET}` })],
    };
    await client.approveRun(approved, edited);

    for (const runId of [inRunMode, inStepMode, approved]) {
      const result = await client.waitForRun(runId, { timeoutMs: 15_000 });
      expect(result.status).toBe('completed');
      expect(result.task).toBe(`${fleetTask(runId)} with the key [REDACTED]`);
      expect(result.plan[0]?.output).toBe(`recorded a of ${runId} with [REDACTED]`);
      expect(JSON.stringify(result)).not.toContain(SECRET);
    }
    expect((await client.getRun(approved))?.result?.revisions[0]?.stepsAfter[0]?.description).toBe('Do a with [REDACTED]');

    const rows = await everyRow();
    // The scan sees what the runs wrote (their redacted text included), and no secret anywhere.
    expect(rows.filter((row) => row.startsWith('plan_execute_queue.job:') && row.includes('[REDACTED]')).length).toBeGreaterThanOrEqual(3 + 6);
    expect(rows.filter((row) => row.startsWith('public.plan_execute_fleet_runs:') && row.includes('[REDACTED]'))).toHaveLength(3);
    expect(rows.filter((row) => row.startsWith('public.plan_execute_runs:') && row.includes('[REDACTED]'))).toHaveLength(3);
    expect(rows.filter((row) => row.includes(SECRET))).toEqual([]);
    // One line per job (3 runs, 1 verdict, 6 step jobs) and the ready line; none with the secret.
    await until('every job to be logged', async () => (lines.length >= 1 + 3 + 1 + 6 ? true : undefined));
    expect(lines).toHaveLength(1 + 3 + 1 + 6);
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});
