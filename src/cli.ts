/**
 * The `plan-execute` command: `node --import tsx src/cli.ts <command> …` (npm start, npm run demo) or the
 * `plan-execute` bin. See src/cli/usage.ts for the commands and src/cli/exit-codes.ts for the codes.
 */
import { processIo } from './cli/io.ts';
import { main } from './cli/main.ts';

// A reader that stops early (`| head`, `| jq` that exits) is not an error: stop writing and keep the run's exit code.
const QUIET_WRITE_ERRORS = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!QUIET_WRITE_ERRORS.has(error.code ?? '')) throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), processIo());
