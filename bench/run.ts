/**
 * `npm run bench`: speed and memory of the engine and the Mastra path, as ratios and bounds.
 * Usage: npm run bench [-- [--json] [parallel|overhead|framework|memory …]]
 * Prints a table (or, with --json, one JSON object); names pick scenarios, all run by default.
 */
import { performance } from 'node:perf_hooks';
import { describeMachine, formatTable, type BenchRow } from './report.ts';
import { engineOverhead } from './scenarios/engine-overhead.ts';
import { frameworkCost } from './scenarios/framework-cost.ts';
import { memory } from './scenarios/memory.ts';
import { parallelSpeedup } from './scenarios/parallel-speedup.ts';

const SCENARIOS: Readonly<Record<string, () => Promise<BenchRow[]>>> = {
  parallel: parallelSpeedup,
  overhead: engineOverhead,
  framework: frameworkCost,
  memory,
};

function parseArguments(args: readonly string[]): { json: boolean; names: string[] } {
  const names = args.filter((arg) => arg !== '--json');
  const unknown = names.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown scenario ${unknown.map((name) => `"${name}"`).join(', ')}; expected some of ${Object.keys(SCENARIOS).join(', ')}\n`);
    process.exit(2);
  }
  return { json: args.includes('--json'), names: names.length > 0 ? names : Object.keys(SCENARIOS) };
}

const { json, names } = parseArguments(process.argv.slice(2));
const machine = describeMachine();
const started = performance.now();
const rows: BenchRow[] = [];
for (const name of names) {
  if (!json) process.stderr.write(`running ${name}…\n`);
  rows.push(...(await SCENARIOS[name]!()));
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(json ? `${JSON.stringify({ machine, seconds, rows }, null, 2)}\n` : `${formatTable(machine, rows, seconds)}\n`);
