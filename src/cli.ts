/**
 * The `plan-execute` command: `tsx src/cli.ts <command> …` (npm start, npm run demo) or the
 * `plan-execute` bin. See src/cli/usage.ts for the commands and src/cli/exit-codes.ts for the codes.
 */
import { processIo } from './cli/io.ts';
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2), processIo());
