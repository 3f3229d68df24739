import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { FleetClient } from '../../src/fleet/fleet-client.ts';
import { DEFAULT_AGENT, FLEET_DEFAULTS, resolveFleetSettings, runQueue, stepQueue, takeoverBoundMs } from '../../src/fleet/fleet-settings.ts';
import { cancelJobId, continueJobId, jobId, startJobId, stepJobId } from '../../src/fleet/job-ids.ts';
import { startWorker } from '../../src/fleet/worker.ts';
import { createFleetAgent } from '../fixtures/fleet-world.ts';
import { invalidOptionsMessage } from './fleet-client-harness.ts';

// Port 1 on loopback refuses connections: an error about the options proves nothing was opened first.
const UNREACHABLE = 'postgres://postgres:password@127.0.0.1:1/postgres';
const URL_MESSAGE = 'Expected `connectionString` to be a PostgreSQL URL (postgres://user:password@host:5432/database)';
const agent = createFleetAgent({ delayMs: 0, onRecord: async () => 'recorded' });

describe('resolveFleetSettings', () => {
  it('fills in the defaults: schema plan_execute_queue, heartbeat 10 s, monitor 2 s, polling 0.5 s', () => {
    expect(resolveFleetSettings({ connectionString: UNREACHABLE })).toEqual({
      connectionString: UNREACHABLE,
      schema: 'plan_execute_queue',
      heartbeatSeconds: 10,
      monitorIntervalSeconds: 2,
      pollingIntervalSeconds: 0.5,
    });
    expect(FLEET_DEFAULTS).toEqual({ schema: 'plan_execute_queue', heartbeatSeconds: 10, monitorIntervalSeconds: 2, pollingIntervalSeconds: 0.5 });
  });

  it('keeps the values it is given, postgresql:// URLs included', () => {
    const options = {
      connectionString: 'postgresql://u:p@db:5432/fleet',
      schema: 'my_queue_2',
      heartbeatSeconds: 30,
      monitorIntervalSeconds: 5,
      pollingIntervalSeconds: 1.5,
    };
    expect(resolveFleetSettings(options)).toEqual(options);
  });

  it.each([
    [{ connectionString: 'mysql://u:p@db/fleet' }, URL_MESSAGE],
    [{ connectionString: '' }, URL_MESSAGE],
    [{ connectionString: undefined as unknown as string }, URL_MESSAGE],
    [{ connectionString: UNREACHABLE, heartbeatSeconds: 9 }, 'Expected `heartbeatSeconds` to be an integer from 10 to 3600, got 9'],
    [{ connectionString: UNREACHABLE, heartbeatSeconds: 10.5 }, 'Expected `heartbeatSeconds` to be an integer from 10 to 3600, got 10.5'],
    [{ connectionString: UNREACHABLE, monitorIntervalSeconds: 0 }, 'Expected `monitorIntervalSeconds` to be an integer from 1 to 3600, got 0'],
    [{ connectionString: UNREACHABLE, pollingIntervalSeconds: 0.4 }, 'Expected `pollingIntervalSeconds` to be a number from 0.5 to 60, got 0.4'],
    [{ connectionString: UNREACHABLE, pollingIntervalSeconds: Number.NaN }, 'Expected `pollingIntervalSeconds` to be a number from 0.5 to 60, got NaN'],
    [{ connectionString: UNREACHABLE, schema: 'Plan-Queue' }, 'Expected `schema` to be a lower-case SQL name, got "Plan-Queue"'],
    [{ connectionString: UNREACHABLE, schema: 'queue; DROP TABLE job' }, 'Expected `schema` to be a lower-case SQL name, got "queue; DROP TABLE job"'],
  ])('refuses %j with INVALID_OPTIONS', (options, message) => {
    let thrown: unknown = null;
    try {
      resolveFleetSettings(options);
    } catch (error) {
      thrown = error;
    }
    expect(isPlanExecuteError(thrown, 'INVALID_OPTIONS')).toBe(true);
    expect((thrown as Error).message).toBe(message);
  });

  it('bounds the takeover of a dead worker: heartbeat + monitor + polling, 12 500 ms by default', () => {
    expect(takeoverBoundMs(resolveFleetSettings({ connectionString: UNREACHABLE }))).toBe(13_500);
    const slower = resolveFleetSettings({ connectionString: UNREACHABLE, heartbeatSeconds: 30, monitorIntervalSeconds: 5, pollingIntervalSeconds: 1 });
    expect(takeoverBoundMs(slower)).toBe(37_000);
  });

  it('names one run queue and one step queue per agent', () => {
    expect(DEFAULT_AGENT).toBe('default');
    expect(runQueue('default')).toBe('plan-execute-runs/default');
    expect(stepQueue('release-bot')).toBe('plan-execute-steps/release-bot');
  });
});

describe('FleetClient.connect and startWorker options', () => {
  it.each([
    [{ connectionString: 'http://db/fleet' }, URL_MESSAGE],
    [{ connectionString: UNREACHABLE, heartbeatSeconds: 9 }, 'Expected `heartbeatSeconds` to be an integer from 10 to 3600, got 9'],
    [{ connectionString: UNREACHABLE, monitorIntervalSeconds: 0 }, 'Expected `monitorIntervalSeconds` to be an integer from 1 to 3600, got 0'],
    [{ connectionString: UNREACHABLE, schema: 'Queue' }, 'Expected `schema` to be a lower-case SQL name, got "Queue"'],
  ])('FleetClient.connect(%j) is refused before connecting', async (options, message) => {
    expect(await invalidOptionsMessage(FleetClient.connect(options))).toBe(message);
  });

  it.each([
    [{ connectionString: 'postgres:/one-slash' }, URL_MESSAGE],
    [{ connectionString: UNREACHABLE, heartbeatSeconds: 9 }, 'Expected `heartbeatSeconds` to be an integer from 10 to 3600, got 9'],
    [{ connectionString: UNREACHABLE, monitorIntervalSeconds: 0 }, 'Expected `monitorIntervalSeconds` to be an integer from 1 to 3600, got 0'],
    [{ connectionString: UNREACHABLE, schema: '1queue' }, 'Expected `schema` to be a lower-case SQL name, got "1queue"'],
  ])('startWorker(%j) is refused before connecting', async (options, message) => {
    expect(await invalidOptionsMessage(startWorker({ ...options, agents: { default: agent } }))).toBe(message);
  });

  it.each([
    [{ agents: {} }, 'Expected `agents` to name at least one agent, e.g. { default: agent }'],
    [{ agents: undefined as never }, 'Expected `agents` to name at least one agent, e.g. { default: agent }'],
    [{ agents: { 'Release Bot': agent } }, 'Expected an agent name of lower-case letters, digits and hyphens (at most 40), got "Release Bot"'],
    [
      { agents: { default: agent, [`a${'b'.repeat(40)}`]: agent } },
      `Expected an agent name of lower-case letters, digits and hyphens (at most 40), got "a${'b'.repeat(40)}"`,
    ],
    [{ agents: { default: agent }, concurrency: 0 }, 'Expected `concurrency` to be an integer from 1 to 1000, got 0'],
    [{ agents: { default: agent }, concurrency: 2.5 }, 'Expected `concurrency` to be an integer from 1 to 1000, got 2.5'],
    [{ agents: { default: agent }, stepConcurrency: 1001 }, 'Expected `stepConcurrency` to be an integer from 1 to 1000, got 1001'],
  ])('startWorker with %j is refused before connecting', async (options, message) => {
    expect(await invalidOptionsMessage(startWorker({ connectionString: UNREACHABLE, ...options }))).toBe(message);
  });
});

describe('job ids', () => {
  it('derive from the run and the purpose: the same inputs give the same UUID-shaped id (version 8, RFC 9562 variant)', () => {
    expect(startJobId('run-1')).toBe('c21688e0-c3fd-8334-bf83-361eb12157d4');
    expect(startJobId('run-1')).toBe(jobId('run-1', 'start'));
    expect(continueJobId('run-1')).toBe('0f7d0878-e64f-8d00-a9b7-9867cc023c95');
    expect(cancelJobId('run-1')).toBe('5e00cc3b-ba69-872b-b0b0-9e023726f2d9');
    expect(stepJobId('run-1', 'b', 2)).toBe('2cf40a9a-00be-8614-aa16-dd7d647a8f60');
    // The SHA-256 of "run-1\0start", with the version nibble set to 8 and the variant bits to 10.
    const digest = createHash('sha256').update('run-1\u0000start').digest('hex');
    expect(startJobId('run-1').replaceAll('-', '')).toBe(`${digest.slice(0, 12)}8${digest.slice(13, 16)}b${digest.slice(17, 32)}`);
  });

  it('differ between runs, purposes, steps and attempts', () => {
    const ids = [
      startJobId('run-1'),
      startJobId('run-2'),
      continueJobId('run-1'),
      cancelJobId('run-1'),
      stepJobId('run-1', 'a', 1),
      stepJobId('run-1', 'a', 2),
      stepJobId('run-1', 'b', 1),
      stepJobId('run-2', 'a', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
