import { PlanExecuteError } from '../engine/errors.ts';
import { UsageError } from './args.ts';
import { EXIT } from './exit-codes.ts';
import { writeLine, type CliIo } from './io.ts';
import { MAIN_USAGE, PROGRAM } from './usage.ts';
import { packageVersion } from './version.ts';

/** A subcommand: its arguments in, its exit code out. */
export type Command = (args: readonly string[], io: CliIo) => Promise<number>;

// Loaded on demand: Mastra takes seconds to import, and `--help` or a usage error should not wait for it.
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  release: async () => (await import('./commands/release.ts')).releaseCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  worker: async () => (await import('./commands/worker.ts')).workerCommand,
  submit: async () => (await import('./commands/submit.ts')).submitCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  approve: async () => (await import('./commands/approve.ts')).approveCommand,
};

/** Reports a usage error: what is wrong, the command's usage line, where to read more. */
function reportUsageError(io: CliIo, command: string | null, error: UsageError): number {
  const who = command ? `${PROGRAM} ${command}` : PROGRAM;
  const usageLine = error.usage.split('\n', 1)[0];
  writeLine(io.stderr, `${who}: ${error.message}\n${usageLine}\nRun '${who} --help' for more.`);
  return EXIT.usage;
}

/** Reports an error a command threw: a missing model, a bad option, or a bug. */
function reportError(io: CliIo, command: string, error: unknown): number {
  const who = `${PROGRAM} ${command}`;
  if (PlanExecuteError.isInstance(error) && error.code === 'MODEL_NOT_CONFIGURED') {
    writeLine(io.stderr, `${who}: ${error.message}\nSet one of them in the environment or in ./.env (see .env.example).`);
    return EXIT.config;
  }
  if (PlanExecuteError.isInstance(error) && error.code === 'INVALID_OPTIONS') {
    writeLine(io.stderr, `${who}: ${error.message}`);
    return EXIT.usage;
  }
  writeLine(io.stderr, `${who}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.internal;
}

/**
 * The `plan-execute` CLI: dispatches `argv` (without node and the script) to a command and
 * returns the exit code. Never throws; every error becomes a message on stderr and a code.
 * `commands` replaces the command table (tests).
 */
export async function main(argv: readonly string[], io: CliIo, commands = COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  if (name === '-h' || name === '--help') {
    writeLine(io.stdout, MAIN_USAGE);
    return EXIT.ok;
  }
  if (name === '-V' || name === '--version') {
    writeLine(io.stdout, packageVersion());
    return EXIT.ok;
  }
  if (name === undefined) return reportUsageError(io, null, new UsageError('missing command', MAIN_USAGE));
  const loadCommand = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!loadCommand) {
    const what = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
    return reportUsageError(io, null, new UsageError(what, MAIN_USAGE));
  }
  try {
    const command = await loadCommand();
    return await command(args, io);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(io, name, error);
    return reportError(io, name, error);
  }
}
