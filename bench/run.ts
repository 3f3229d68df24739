/**
 * `npm run bench`: speed and memory of the engine and the Mastra path, as ratios and bounds.
 * Usage: npm run bench [-- [--json] [parallel|overhead|framework|memory …]]
 * Prints a table (or, with --json, one JSON object); names pick scenarios, all run by default.
 * `npm run bench -- peers [options]` is the side-by-side comparison with LangGraph.js and
 * @langchain/classic instead (bench/side-by-side/run-peers.ts; its own install in bench/peers).
 * `npm run bench -- fleet [options]` times the worker fleet on a throwaway PostgreSQL (bench/fleet.ts).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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

if (process.argv[2] === 'peers') {
  // A process of its own, without tsx's loader: see bench/side-by-side/main.ts for why.
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 7)) {
    process.stderr.write(`npm run bench -- peers needs Node 22.7 or later (--experimental-transform-types); this is ${process.version}\n`);
    process.exit(2);
  }
  const main = fileURLToPath(new URL('./side-by-side/main.ts', import.meta.url));
  const flags = ['--experimental-transform-types', '--disable-warning=ExperimentalWarning'];
  const child = spawnSync(process.execPath, [...flags, main, ...process.argv.slice(3)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

if (process.argv[2] === 'fleet') {
  // Worker processes on a throwaway PostgreSQL: loaded only when asked for.
  const { runFleetBench } = await import('./fleet.ts');
  process.exit(await runFleetBench(process.argv.slice(3)));
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
