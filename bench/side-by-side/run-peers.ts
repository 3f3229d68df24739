/**
 * `npm run bench -- peers [--peers ours,langgraph,classic] [--only calls,tokens,overhead,dag,direct,cache,stream]
 * [--mode native|prompt|tool|text] [--latency-ms 50] [--tool-ms 0] [--overhead-rounds 5]
 * [--overhead-warmup 3] [--dag-rounds 3] [--plan-ms 400] [--json]`: this project, LangGraph.js's plan-and-execute
 * design and @langchain/classic's PlanAndExecuteAgentExecutor on one scripted world in one process;
 * prints the comparison as ratios (`direct`, `cache` and `stream`, features only this project has, run on it
 * alone and compare with the peers' ordinary runs of the same plan). The LangChain peers live in bench/peers, a package with its own
 * install, so they stay out of the project's dependencies.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type OursOutputMode, oursPeer } from './ours-peer.ts';
import { measureCache, measureDirect, measureStream } from './ours-scenarios.ts';
import type { Peer } from './peer.ts';
import { measureCalls, measureDag, measureOverhead, measureTokens, SCENARIO_DEFAULTS, type ScenarioResult, type ScenarioSettings } from './peer-scenarios.ts';
import { formatTable, type PeerMetrics, tableRows } from './ratio-table.ts';

/** The command that installs the LangChain peers, run from the project root. */
export const PEERS_INSTALL_COMMAND = 'npm install --prefix bench/peers --no-audit --no-fund';

const HEADINGS: Readonly<Record<string, string>> = { ours: 'this project', langgraph: 'LG', classic: 'CL' };
const SCENARIOS = ['calls', 'tokens', 'overhead', 'dag', 'direct', 'cache', 'stream'] as const;
const OURS_ONLY: readonly ScenarioName[] = ['direct', 'cache', 'stream'];
type ScenarioName = (typeof SCENARIOS)[number];

interface Choices {
  readonly peerIds: readonly string[];
  readonly scenarios: readonly ScenarioName[];
  readonly mode: OursOutputMode;
  readonly settings: ScenarioSettings;
  readonly json: boolean;
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function parseChoices(args: readonly string[]): Choices {
  const number = { type: 'string' } as const;
  const { values } = parseArgs({
    args: [...args],
    options: {
      peers: { type: 'string', default: 'ours,langgraph,classic' },
      only: { type: 'string', default: SCENARIOS.join(',') },
      mode: { type: 'string', default: 'native' },
      'latency-ms': number,
      'tool-ms': number,
      'overhead-rounds': number,
      'overhead-warmup': number,
      'dag-rounds': number,
      'plan-ms': number,
      json: { type: 'boolean', default: false },
    },
  });
  const scenarios = list(values.only);
  const unknown = scenarios.filter((name) => !SCENARIOS.includes(name as ScenarioName));
  if (unknown.length > 0) fail(`Unknown scenario ${unknown.join(', ')}; expected some of ${SCENARIOS.join(', ')}`);
  if (!['native', 'prompt', 'tool', 'text'].includes(values.mode)) fail(`Expected --mode native, prompt, tool or text, got ${values.mode}`);
  const numeric = (key: keyof typeof values, fallback: number) => {
    const value = values[key] === undefined ? fallback : Number(values[key]);
    return Number.isFinite(value) && value >= 0 ? value : fail(`Expected --${key} to be a number from 0 up, got ${values[key]}`);
  };
  const settings: ScenarioSettings = {
    latencyMs: numeric('latency-ms', SCENARIO_DEFAULTS.latencyMs),
    toolMs: numeric('tool-ms', SCENARIO_DEFAULTS.toolMs),
    overheadRounds: Math.max(1, numeric('overhead-rounds', SCENARIO_DEFAULTS.overheadRounds)),
    overheadWarmup: numeric('overhead-warmup', SCENARIO_DEFAULTS.overheadWarmup),
    dagRounds: Math.max(1, numeric('dag-rounds', SCENARIO_DEFAULTS.dagRounds)),
    planMs: numeric('plan-ms', SCENARIO_DEFAULTS.planMs),
  };
  return { peerIds: list(values.peers), scenarios: scenarios as ScenarioName[], mode: values.mode as OursOutputMode, settings, json: values.json };
}

/** The peers named, the LangChain ones loaded from bench/peers; exits with the install command when it is not installed. */
async function loadPeers({ peerIds, mode }: Choices): Promise<Peer[]> {
  const needsLangChain = peerIds.some((id) => id !== 'ours');
  if (needsLangChain && !existsSync(new URL('../peers/node_modules/@langchain/langgraph/package.json', import.meta.url))) {
    process.stderr.write(
      `bench/peers has no node_modules: the LangChain peers are a separate package, installed on demand.\n` +
        `Install them once, from the project root:\n\n  ${PEERS_INSTALL_COMMAND}\n\nthen run again: npm run bench -- peers\n` +
        `(or only this project: npm run bench -- peers --peers ours)\n`,
    );
    process.exit(1);
  }
  // A computed specifier: the project's tsc must not follow it into bench/peers, whose LangChain packages a clone may not have.
  const peersEntry = new URL('../peers/src/index.ts', import.meta.url).href;
  const langchain = needsLangChain ? ((await import(peersEntry)) as { langchainPeers: readonly Peer[] }).langchainPeers : [];
  const available = [oursPeer(mode), ...langchain];
  return peerIds.map((id) => available.find((peer) => peer.id === id) ?? fail(`Unknown peer ${id}; expected ours, langgraph or classic`));
}

/** Runs the chosen scenarios on every peer; the metrics per peer and the errors seen. */
async function measure(peers: readonly Peer[], { scenarios, settings, json, mode }: Choices) {
  const metrics = new Map<string, Record<string, unknown>>(peers.map((peer) => [peer.id, {}]));
  const errors: string[] = [];
  const collect = <T>(key: keyof PeerMetrics, result: ScenarioResult<T>) => {
    for (const [id, { value, error }] of result) {
      if (error) errors.push(`${id}, ${key}: ${error}`);
      else metrics.get(id)![key] = value ?? undefined;
    }
  };
  const steps: Record<ScenarioName, () => Promise<void>> = {
    calls: async () => collect('calls', await measureCalls(peers)),
    tokens: async () => collect('tokens', await measureTokens(peers)),
    overhead: async () => collect('overhead', await measureOverhead(peers, settings)),
    dag: async () => collect('dag', await measureDag(peers, settings)),
    direct: async () => collect('direct', await measureDirect(mode, settings)),
    cache: async () => collect('cache', await measureCache(mode)),
    stream: async () => collect('stream', await measureStream(mode, settings)),
  };
  const hasOurs = peers.some((peer) => peer.id === 'ours');
  for (const name of scenarios) {
    if (!hasOurs && OURS_ONLY.includes(name)) continue;
    if (!json) process.stderr.write(`running ${name}…\n`);
    await steps[name]();
  }
  return { metrics: metrics as Map<string, PeerMetrics>, errors };
}

/** The lines above the table: when, where, what. */
function header(peers: readonly Peer[], { mode, settings }: Choices): string[] {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`;
  const versions = peers.map(
    (peer) =>
      `${peer.id}: ${Object.entries(peer.versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}`,
  );
  return [
    `${new Date().toISOString()} — ${machine}`,
    `command: npm run bench -- peers --mode ${mode} --latency-ms ${settings.latencyMs} --tool-ms ${settings.toolMs} --overhead-rounds ${settings.overheadRounds} --dag-rounds ${settings.dagRounds} --plan-ms ${settings.planMs}`,
    ...versions,
    '',
  ];
}

const NOTES = [
  'Scripted world: the same plan for every peer (S01 → … a line; 4 chains × 3 for the DAG), one tool `work` returning "result of <step>".',
  'Input tokens = ceil(characters / 4) of every prompt message part, tool call and tool result, the tool definitions and the response schema.',
  'Overhead per step = (wall − time inside the models − tool time) ÷ steps, median; CPU per step = process CPU time (all threads) ÷ steps, median. DAG bound = plan call + 3 × 2 executor calls + final call at the model latency.',
  'Direct steps: the same line planned as `work` calls with `toolArgs` {"step": …, "input": {"$ref": <previous step>}}; the engine makes them with no executor model call (`work` takes an optional `input` there). LG and CL have no direct steps: their column is their executor run of the same plan. Plan cache: one InMemoryPlanCache shared by two runs of the 5-step direct task.',
  "Streamed plan: the 12-step DAG with a planner that writes its plan over --plan-ms, one step at a time, run without and with `streamPlan` (steps start as soon as they and their dependencies are done, LLMCompiler-style); planned chain by chain (A1, A2, A3, B1, …) or level by level (A1, B1, C1, D1, A2, …). Bound = the plan's writing time + 3 × 2 executor calls + the final call. LG and CL wait for the whole plan.",
  'Ratios are this project ÷ the peer: below 1, this project spends less. Times vary with load; counts and tokens are exact.',
];

/** Runs `npm run bench -- peers` with `args` (what follows `peers`). */
export async function runPeers(args: readonly string[]): Promise<void> {
  const choices = parseChoices(args);
  const peers = await loadPeers(choices);
  const { metrics, errors } = await measure(peers, choices);
  if (choices.json) {
    const versions = Object.fromEntries(peers.map((peer) => [peer.id, peer.versions]));
    process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), versions, metrics: Object.fromEntries(metrics), errors }, null, 2)}\n`);
    return;
  }
  const table = formatTable(
    tableRows(metrics),
    peers.map((peer) => ({ id: peer.id, heading: HEADINGS[peer.id] ?? peer.id })),
  );
  const problems = errors.length > 0 ? ['', 'Runs that did not complete:', ...errors.map((error) => `- ${error}`)] : [];
  process.stdout.write(`${[...header(peers, choices), table, '', ...NOTES, ...problems].join('\n')}\n`);
  if (errors.length > 0) process.exitCode = 1;
}
