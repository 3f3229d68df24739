import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../../src/cli/io.ts';

/**
 * The CLI's streams and process hooks in memory, for calling `main()` in-process: what it writes
 * collects in `output`; `exit` throws (a command must return its code, never exit).
 */
export function memoryIo({ env = {}, cwd = '/nonexistent' }: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const output = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk) => (output.stdout += chunk));
  stderr.on('data', (chunk) => (output.stderr += chunk));
  const io: CliIo = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env,
    cwd,
    signals: new EventEmitter() as unknown as CliIo['signals'],
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { io, output };
}
