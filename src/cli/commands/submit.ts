import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionsError } from '../../engine/errors.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { timeLimit } from '../../engine/time-limit.ts';
import type { FleetClient, FleetRun } from '../../fleet/index.ts';
import { DEFAULT_AGENT } from '../../fleet/fleet-settings.ts';
import { parseCommandLine, parseInteger, singlePositional, UsageError } from '../args.ts';
import { EXIT, exitCodeForRun } from '../exit-codes.ts';
import { agentOption, fleetDatabase, withFleetClient } from '../fleet-options.ts';
import { trapInterrupt } from '../interrupt.ts';
import { writeLine, type CliIo } from '../io.ts';
import { printRunResult } from '../output/run-view.ts';
import { PROGRAM, SUBMIT_USAGE } from '../usage.ts';

const OPTIONS = {
  db: { type: 'string' },
  agent: { type: 'string' },
  approve: { type: 'boolean' },
  steps: { type: 'boolean' },
  'run-id': { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WHO = `${PROGRAM} submit`;

/** How often `--wait` looks at the run, in ms. */
const WAIT_POLL_MS = 250;

/**
 * How long `--wait` follows a run unless `--timeout` says otherwise, in seconds: one hour, enough
 * for a long run and for a person to approve a plan within the approval gate's own hour.
 */
const DEFAULT_WAIT_SECONDS = 3_600;
/** The longest `--timeout`: a day, pg-boss's cap on one run job. */
const MAX_WAIT_SECONDS = 86_400;

type SubmitFlags = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/** The submission the command line asks for; a UsageError for a bad value. */
function submission(values: SubmitFlags, positionals: readonly string[]) {
  const task = singlePositional(positionals, 'the task', SUBMIT_USAGE);
  const runId = values['run-id'];
  if (runId !== undefined && runId.trim() === '') throw new UsageError('--run-id must not be empty', SUBMIT_USAGE);
  return {
    task,
    waitSeconds: waitSeconds(values),
    options: {
      runId,
      agent: agentOption(values.agent ?? DEFAULT_AGENT, SUBMIT_USAGE),
      approval: values.approve ?? false,
      stepMode: values.steps ? ('steps' as const) : ('run' as const),
    },
  };
}

/** `--timeout`'s seconds (only with --wait), from 1 to MAX_WAIT_SECONDS; DEFAULT_WAIT_SECONDS without it. */
function waitSeconds(values: SubmitFlags): number {
  if (values.timeout === undefined) return DEFAULT_WAIT_SECONDS;
  if (!values.wait) throw new UsageError('--timeout needs --wait', SUBMIT_USAGE);
  const seconds = parseInteger('--timeout', values.timeout, 1, SUBMIT_USAGE);
  if (seconds > MAX_WAIT_SECONDS)
    throw new UsageError(`--timeout must be at most ${MAX_WAIT_SECONDS} seconds, got ${JSON.stringify(values.timeout)}`, SUBMIT_USAGE);
  return seconds;
}

/**
 * Looks at the run every WAIT_POLL_MS until it has ended (its result) or `signal` fires (null),
 * telling `onState` each state it sees for the first time.
 */
async function waitForEnd(client: FleetClient, runId: string, signal: AbortSignal, onState: (run: FleetRun) => void): Promise<PlanRunResult | null> {
  let lastState: string | null = null;
  while (!signal.aborted) {
    const run = await client.getRun(runId);
    if (!run) throw new InvalidOptionsError(`No run with id "${runId}" was submitted`);
    if (run.state !== lastState) onState(run);
    lastState = run.state;
    if (run.result) return run.result;
    await sleep(WAIT_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
  return null;
}

/**
 * `--wait`: follows the run until it ends and prints its result as `run` does. Ctrl-C stops
 * waiting (the run goes on) and returns 130; so does `seconds` passing, returning EXIT.waitTimedOut.
 */
async function waitAndPrint(client: FleetClient, runId: string, { json, seconds }: { json: boolean; seconds: number }, io: CliIo): Promise<number> {
  const controller = new AbortController();
  const interrupt = trapInterrupt(io, controller);
  const limit = timeLimit(controller.signal, seconds * 1000);
  let lastState = 'queued';
  try {
    const result = await waitForEnd(client, runId, limit.signal, (run) => {
      lastState = run.state;
      if (json) return;
      const hint = run.state === 'awaiting-approval' ? ` (give the verdict: ${PROGRAM} approve ${runId} [--reject])` : '';
      writeLine(io.stdout, `run ${runId}: ${run.state}${hint}`);
    });
    if (!result && limit.timedOut()) {
      writeLine(
        io.stderr,
        `${WHO}: run ${runId} had not ended after ${seconds} s (state: ${lastState}); stopped waiting, the run goes on in the fleet (${PROGRAM} status ${runId})`,
      );
      return EXIT.waitTimedOut;
    }
    if (!result) {
      writeLine(io.stderr, `${WHO}: stopped waiting; the run goes on (${PROGRAM} status ${runId})`);
      return EXIT.interrupted;
    }
    printRunResult(json ? 'json' : 'plain', result, io);
    return exitCodeForRun(result);
  } finally {
    limit.clear();
    interrupt.dispose();
  }
}

/**
 * `plan-execute submit "<task>"`: enqueues the task as a run of the fleet and prints its id (with
 * --json, `{"runId": …}`); with --wait, follows it until it ends (at most --timeout seconds, an
 * hour by default), prints its result as `run` does and returns the run's exit code. Throws
 * UsageError for main() to report.
 */
export async function submitCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, SUBMIT_USAGE);
  if (values.help) {
    writeLine(io.stdout, SUBMIT_USAGE);
    return EXIT.ok;
  }
  const { task, waitSeconds: seconds, options } = submission(values, positionals);
  const database = await fleetDatabase(values.db, io, SUBMIT_USAGE);
  return withFleetClient(WHO, database, io, async (client) => {
    const runId = await client.submitRun(task, options);
    if (values.wait) return await waitAndPrint(client, runId, { json: values.json ?? false, seconds }, io);
    writeLine(io.stdout, values.json ? JSON.stringify({ runId }) : runId);
    return EXIT.ok;
  });
}
