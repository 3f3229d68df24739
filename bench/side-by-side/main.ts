/**
 * The process `npm run bench -- peers` starts (see bench/run.ts): Node's own TypeScript transform
 * instead of tsx, because under tsx's loader every dynamic `import()` is resolved on tsx's hooks
 * thread, and Mastra imports `p-map` and `p-retry` dynamically on every model call: that alone
 * doubled this project's CPU per step, a cost of the loader, not of either library.
 * Run directly: node --experimental-transform-types bench/side-by-side/main.ts [options]
 */
import { runPeers } from './run-peers.ts';

await runPeers(process.argv.slice(2));
