import { InvalidOptionsError } from '../../engine/errors.ts';
import type { FleetRun } from '../../fleet/index.ts';
import { parseCommandLine, singlePositional } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { fleetDatabase, withFleetClient } from '../fleet-options.ts';
import { writeLine, type CliIo } from '../io.ts';
import { formatResult } from '../output/plain-lines.ts';
import { PROGRAM, STATUS_USAGE } from '../usage.ts';

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WHO = `${PROGRAM} status`;

/**
 * A fleet run as text: its state and task, then the plan to approve (while it waits for
 * approval), each step's status (while it goes) or, once it ended, the final plan, the answer and
 * the tokens as `run` prints them.
 */
export function formatFleetRun(run: FleetRun): string {
  const lines = [`run ${run.runId} (agent ${run.agent}): ${run.state}`, `task: ${run.task}`];
  if (run.result) return [...lines, '', formatResult(run.result)].join('\n');
  if (run.steps.length === 0) return [...lines, 'steps: none yet (not planned)'].join('\n');
  if (run.state === 'awaiting-approval' && run.plan) {
    // What the approver approves: each step, what it does and what it waits for.
    const planned = run.plan.steps.map((step) => `  ${step.id}: ${step.description}${step.dependsOn.length ? ` (after ${step.dependsOn.join(', ')})` : ''}`);
    return [...lines, `plan: ${run.plan.goal}`, ...planned].join('\n');
  }
  return [...lines, 'steps:', ...run.steps.map((step) => `  ${step.id}: ${step.status}`)].join('\n');
}

/**
 * `plan-execute status <runId>`: where a fleet run stands (state, each step's status, the result
 * once it ended), as text or, with --json, as the FleetRun. Returns 0; an unknown run is an
 * InvalidOptionsError (exit 64), a UsageError a bad command line, both for main() to report.
 */
export async function statusCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, STATUS_USAGE);
  if (values.help) {
    writeLine(io.stdout, STATUS_USAGE);
    return EXIT.ok;
  }
  const runId = singlePositional(positionals, 'the run id', STATUS_USAGE);
  const database = await fleetDatabase(values.db, io, STATUS_USAGE);
  return withFleetClient(WHO, database, io, async (client) => {
    const run = await client.getRun(runId);
    if (!run) throw new InvalidOptionsError(`No run with id "${runId}" was submitted`);
    writeLine(io.stdout, database.redact(values.json ? JSON.stringify(run, null, 2) : formatFleetRun(run)));
    return EXIT.ok;
  });
}
