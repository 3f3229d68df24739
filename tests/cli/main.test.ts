import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { main, type Command } from '../../src/cli/main.ts';
import { InvalidOptionsError, MissingModelError } from '../../src/engine/errors.ts';
import { memoryIo } from './helpers/memory-io.ts';

const throwing = (error: unknown): Record<string, () => Promise<Command>> => ({ go: async () => async () => Promise.reject(error) });

describe('main', () => {
  it('passes the arguments after the command name and returns its exit code', async () => {
    const seen: Array<readonly string[]> = [];
    const { io } = memoryIo();
    const code = await main(['go', '--fast', 'x'], io, { go: async () => async (args) => (seen.push(args), 7) });
    expect([code, seen]).toEqual([7, [['--fast', 'x']]]);
  });

  it.each([
    [
      'a missing model',
      new MissingModelError('No model configured for the planner: set OPENAI_API_KEY.'),
      78,
      'plan-execute go: No model configured for the planner: set OPENAI_API_KEY.\nSet one of them in the environment or in ./.env (see .env.example).\n',
    ],
    [
      'an invalid option',
      new InvalidOptionsError('Expected `concurrency` to be an integer from 1 and up, got 0 (number)'),
      64,
      'plan-execute go: Expected `concurrency` to be an integer from 1 and up, got 0 (number)\n',
    ],
    [
      'a usage error',
      new UsageError('missing the task', 'Usage: plan-execute go\n\nmore'),
      64,
      "plan-execute go: missing the task\nUsage: plan-execute go\nRun 'plan-execute go --help' for more.\n",
    ],
  ])('reports %s and exits %i', async (_name, error, expectedCode, expectedStderr) => {
    const { io, output } = memoryIo();
    const code = await main(['go'], io, throwing(error));
    expect([code, output.stdout, output.stderr]).toEqual([expectedCode, '', expectedStderr]);
  });

  it('reports any other error as an internal error with its stack, and exits 70', async () => {
    const { io, output } = memoryIo();
    const code = await main(['go'], io, throwing(new TypeError('boom')));
    expect(code).toBe(70);
    expect(output.stderr.startsWith('plan-execute go: internal error: TypeError: boom\n    at ')).toBe(true);
  });

  it('knows no command named after an Object.prototype member', async () => {
    const { io, output } = memoryIo();
    expect(await main(['toString'], io, {})).toBe(64);
    expect(output.stderr.split('\n')[0]).toBe("plan-execute: unknown command 'toString'");
  });
});
