import { execFile } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { CLI_COMMAND, cliEnv, EMPTY_DIR } from './run-cli.ts';

/** What a terminal received from the CLI, with and without its escape sequences. */
export interface TerminalOutcome {
  readonly code: number | null;
  /** Everything written, escape sequences included. */
  readonly output: string;
  /** The same without escape sequences and carriage returns. */
  readonly text: string;
}

/**
 * Runs the CLI on a pseudo-terminal of 120 × 40 with util-linux `script` (no native module), with
 * `args` as a shell-quoted string and `env` added to the test environment.
 */
export function runInTerminal(args: string, { env = {}, cwd = EMPTY_DIR }: { env?: Record<string, string>; cwd?: string } = {}): Promise<TerminalOutcome> {
  const command = `stty rows 40 cols 120; ${CLI_COMMAND.join(' ')} ${args}`;
  return new Promise((resolve) => {
    execFile('script', ['-qfec', command, '/dev/null'], { cwd, env: cliEnv(env), timeout: 60_000 }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: stdout, text: stripVTControlCharacters(stdout).replaceAll('\r', '') });
    });
  });
}
