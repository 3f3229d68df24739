import { parseCommandLine, singlePositional } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { fleetDatabase, withFleetClient } from '../fleet-options.ts';
import { writeLine, type CliIo } from '../io.ts';
import { APPROVE_USAGE, PROGRAM } from '../usage.ts';

const OPTIONS = {
  db: { type: 'string' },
  reject: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WHO = `${PROGRAM} approve`;

/**
 * `plan-execute approve <runId>`: approves the plan of a fleet run waiting for approval (a worker
 * carries the run on), or with --reject ends it `rejected`. A run that does not wait, or already
 * has its verdict, is an InvalidOptionsError (exit 64) for main() to report, as is an unknown run.
 */
export async function approveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, APPROVE_USAGE);
  if (values.help) {
    writeLine(io.stdout, APPROVE_USAGE);
    return EXIT.ok;
  }
  const runId = singlePositional(positionals, 'the run id', APPROVE_USAGE);
  const database = await fleetDatabase(values.db, io, APPROVE_USAGE);
  return withFleetClient(WHO, database, io, async (client) => {
    const approved = values.reject !== true;
    await client.approveRun(runId, approved);
    writeLine(io.stdout, approved ? `run ${runId}: plan approved; a worker carries the run on` : `run ${runId}: plan rejected; a worker ends the run`);
    return EXIT.ok;
  });
}
