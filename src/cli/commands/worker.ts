import { parseCommandLine, parseInteger } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { connecting, fleetDatabase, guardFleetCommand, noPositionals, WORKER_DEFAULTS } from '../fleet-options.ts';
import { writeLine, type CliIo } from '../io.ts';
import { parseAllowList, workspaceDirFor } from '../run-tool-options.ts';
import { PROGRAM, WORKER_USAGE } from '../usage.ts';

const OPTIONS = {
  db: { type: 'string' },
  concurrency: { type: 'string' },
  'step-concurrency': { type: 'string' },
  workspace: { type: 'string' },
  allow: { type: 'string' },
  'shared-workspace': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WHO = `${PROGRAM} worker`;

/** The signals that stop a worker. */
type StopSignal = 'SIGTERM' | 'SIGINT';

/**
 * Resolves `requested` on the first SIGTERM or SIGINT; a second one ends the process at once
 * (130), leaving the running jobs to other workers. Listens from the start, so that a signal
 * during the start-up is not lost (nor does it kill the process with its connections open).
 */
function trapStop(io: Pick<CliIo, 'signals' | 'exit' | 'stderr'>) {
  const signals = io.signals;
  let resolveRequested: (signal: StopSignal) => void = () => {};
  const requested = new Promise<StopSignal>((resolve) => (resolveRequested = resolve));
  let stopping = false;
  const listeners = (['SIGTERM', 'SIGINT'] as const).map((signal) => {
    const listener = () => {
      if (stopping) io.exit(EXIT.interrupted);
      stopping = true;
      resolveRequested(signal);
    };
    signals.on(signal, listener);
    return { signal, listener };
  });
  const dispose = () => {
    for (const { signal, listener } of listeners) signals.off(signal, listener);
  };
  return { requested, dispose };
}

/** The worker's settings from the flags; a UsageError for a bad value. */
async function workerSettings(values: ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'], io: CliIo) {
  const integer = (flag: 'concurrency' | 'step-concurrency', fallback: number) => {
    const raw = values[flag];
    return raw === undefined ? fallback : parseInteger(`--${flag}`, raw, 1, WORKER_USAGE);
  };
  const concurrency = integer('concurrency', WORKER_DEFAULTS.concurrency);
  const stepConcurrency = integer('step-concurrency', WORKER_DEFAULTS.stepConcurrency);
  const allowedCommands = parseAllowList(values.allow, WORKER_USAGE);
  const database = await fleetDatabase(values.db, io, WORKER_USAGE);
  const workspaceDir = workspaceDirFor(values.workspace, database.env, io.cwd, WORKER_USAGE);
  return { concurrency, stepConcurrency, allowedCommands, database, workspaceDir, sharedWorkspace: values['shared-workspace'] ?? false };
}

/** Registers the agents, works the queues until a stop signal, then stops gracefully; returns 0. */
async function work(settings: Awaited<ReturnType<typeof workerSettings>>, io: CliIo, stop: ReturnType<typeof trapStop>): Promise<number> {
  const { database } = settings;
  // Imported after the arguments are checked: the agents load Mastra, the fleet pg-boss.
  const { createFleetAgents } = await import('../fleet-agents.ts');
  const { agents, notes, defaultTools } = await createFleetAgents({ ...settings, env: database.env, redact: database.secrets, usage: WORKER_USAGE });
  for (const note of notes) writeLine(io.stderr, database.redact(`${WHO}: ${note}`));
  if (defaultTools) writeLine(io.stderr, database.redact(`${WHO}: default agent: ${defaultTools}`));
  const { startWorker } = await import('../../fleet/index.ts');
  const worker = await connecting(() =>
    startWorker({
      connectionString: database.url,
      agents,
      concurrency: settings.concurrency,
      stepConcurrency: settings.stepConcurrency,
      stopTimeoutMs: WORKER_DEFAULTS.stopTimeoutMs,
      // The agents' tools work in this worker's workspace (the scaffold's venv above all): unless every worker
      // sees the same folder, a step of a --steps run stays with the run, where the earlier steps' files are.
      keepLocal: settings.sharedWorkspace ? undefined : () => true,
      log: (line) => writeLine(io.stdout, database.redact(line)),
    }),
  );
  const signal = await stop.requested;
  const grace = WORKER_DEFAULTS.stopTimeoutMs / 1000;
  writeLine(io.stderr, `${WHO}: ${signal}: stopping; running jobs get up to ${grace} s to finish (a second signal ends the worker at once)`);
  await worker.stop();
  return EXIT.ok;
}

/**
 * `plan-execute worker`: registers `default` (the environment's models and `run`'s workspace
 * tools) and the offline examples, works the fleet's queues and logs one line per job on stdout,
 * until SIGTERM or SIGINT, then stops gracefully and returns 0. The database URL's password is
 * never printed. Throws UsageError for main() to report.
 */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, WORKER_USAGE);
  if (values.help) {
    writeLine(io.stdout, WORKER_USAGE);
    return EXIT.ok;
  }
  noPositionals(positionals, WORKER_USAGE);
  const settings = await workerSettings(values, io);
  const stop = trapStop(io);
  try {
    return await guardFleetCommand(WHO, settings.database, io, () => work(settings, io, stop));
  } finally {
    stop.dispose();
  }
}
