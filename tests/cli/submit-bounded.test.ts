/**
 * `plan-execute submit --wait` waits at most `--timeout` seconds: on a throwaway PostgreSQL with no
 * worker, the run stays queued and the command gives up with its own exit code, the run left on
 * the fleet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { SUBMIT_USAGE } from '../../src/cli/usage.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { memoryIo } from './helpers/memory-io.ts';

let cluster: PostgresCluster | undefined;
beforeAll(async () => void (cluster = await startPostgres()), 60_000);
afterAll(() => cluster?.stop());

/** `plan-execute …args --db <url>` in-process; its exit code and output. */
async function cli(args: readonly string[]) {
  const { io, output } = memoryIo();
  const code = await main([...args, '--db', cluster!.connectionString], io);
  return { code, ...output };
}

const usageError = (message: string) => `plan-execute submit: ${message}\n${SUBMIT_USAGE.split('\n', 1)[0]}\nRun 'plan-execute submit --help' for more.\n`;

describe('plan-execute submit --wait --timeout', () => {
  it('stops waiting after --timeout seconds with exit 75, saying the run goes on in the fleet', async () => {
    const waited = await cli(['submit', 'Greet me', '--wait', '--timeout', '1', '--run-id', 'slow-1']);

    expect(waited).toEqual({
      code: 75,
      stdout: 'run slow-1: queued\n',
      stderr:
        'plan-execute submit: run slow-1 had not ended after 1 s (state: queued); stopped waiting, the run goes on in the fleet (plan-execute status slow-1)\n',
    });
    // Still submitted and waiting for a worker.
    expect(await cli(['status', 'slow-1'])).toMatchObject({ code: 0, stdout: expect.stringContaining('run slow-1 (agent default): queued') });
  }, 60_000);

  it.each([
    [['--timeout', '5'], '--timeout needs --wait'],
    [['--wait', '--timeout', '0'], '--timeout must be an integer from 1 and up, got "0"'],
    [['--wait', '--timeout', '86401'], '--timeout must be at most 86400 seconds, got "86401"'],
  ])('%j exits 64 with the problem and the usage line', async (flags, message) => {
    expect(await cli(['submit', 'Greet me', ...flags])).toEqual({ code: 64, stdout: '', stderr: usageError(message) });
  });
});
