/**
 * The four measurements of `npm run bench -- peers`, each run on every peer in the same process:
 * model calls (5-step line, happy and one tool failure), tokens (20-step line), overhead per step
 * (20-step line, 0 ms models) and the 12-step DAG against its critical path. Counts and tokens are
 * exact; times are medians.
 */
import type { Ledger } from './ledger.ts';
import type { Peer } from './peer.ts';
import { firstError, medianOf, runInTurns, runPeer } from './peer-runs.ts';
import { chainsWorld, lineWorld } from './world.ts';

/** Sizes and timings of the scenarios. */
export interface ScenarioSettings {
  /** Model latency of the DAG scenario, in ms. @default 50 */
  readonly latencyMs: number;
  /** Tool time of the timed scenarios, in ms. @default 0 */
  readonly toolMs: number;
  /** Timed runs of the overhead scenario per peer. @default 5 */
  readonly overheadRounds: number;
  /** Untimed runs before them. @default 3 */
  readonly overheadWarmup: number;
  /** Timed runs of the DAG scenario per peer (and of each variant of the stream scenario). @default 3 */
  readonly dagRounds: number;
  /** How long the planner of the stream scenario takes to write its plan, in ms. @default 400 */
  readonly planMs: number;
}

/** The defaults of {@link ScenarioSettings}. */
export const SCENARIO_DEFAULTS: ScenarioSettings = Object.freeze({ latencyMs: 50, toolMs: 0, overheadRounds: 5, overheadWarmup: 3, dagRounds: 3, planMs: 400 });

/** Model calls of the 5-step line. */
export interface CallCounts {
  readonly happy: number;
  /** Input tokens of the happy run. */
  readonly happyTokens: number;
  /** With step 3's tool throwing once. */
  readonly failure: number;
  /** True when the failed step was done again and every step ended done. */
  readonly redone: boolean;
  /** True when the run reported success although a step never got done. */
  readonly hidden: boolean;
}

/** Input tokens of the 20-step line. */
export interface TokenCounts {
  /** Of the whole run, every role. */
  readonly run: number;
  /** Executor input tokens of each step, in order. */
  readonly executorPerStep: readonly number[];
  /** Executor and replanner tokens attributed to each step, in order. */
  readonly perStep: readonly number[];
}

/** The 12-step DAG's wall time against its bound. */
export interface DagTiming {
  readonly wallMs: number;
  /** Plan call + chain length × (2 executor calls + tool) + final call. */
  readonly boundMs: number;
  /** Most model calls in flight at once (the tool takes 0 ms by default, so its calls never overlap). */
  readonly maxModelCallsInFlight: number;
}

/** Medians of the 20-step line with 0 ms models, per step. */
export interface OverheadTiming {
  /** (wall − time inside the models − tool time) ÷ steps, in ms. */
  readonly overheadMs: number;
  /** Process CPU time ÷ steps, in ms: the scripted models' own work included, load from other processes not. */
  readonly cpuMs: number;
}

/** What one scenario measured for each peer, with the first error of a peer whose runs failed. */
export type ScenarioResult<T> = Map<string, { readonly value: T | null; readonly error?: string | undefined }>;

const LINE_STEPS = 20;
const CALL_STEPS = 5;
const FAILING_STEP = 3;
const CHAINS = 4;
const CHAIN_LENGTH = 3;

const allDone = (ledger: Ledger, ids: readonly string[]) => ids.every((id) => ledger.isDone(id));

/** Model calls of the 5-step line, happy and with step 3's tool throwing once (0 ms models). */
export async function measureCalls(peers: readonly Peer[]): Promise<ScenarioResult<CallCounts>> {
  const results: ScenarioResult<CallCounts> = new Map();
  const timings = { latencyMs: 0, toolMs: 0 };
  for (const peer of peers) {
    const happy = await runPeer(peer, lineWorld(CALL_STEPS), timings);
    const failingWorld = lineWorld(CALL_STEPS, [lineWorld(CALL_STEPS).steps[FAILING_STEP - 1]!.id]);
    const failure = await runPeer(peer, failingWorld, timings);
    const redone = allDone(
      failure.ledger,
      failingWorld.steps.map((step) => step.id),
    );
    const value = {
      happy: happy.ledger.count(),
      happyTokens: happy.ledger.inputTokens(),
      failure: failure.ledger.count(),
      redone,
      hidden: !redone && failure.error === undefined,
    };
    results.set(peer.id, { value, error: happy.error ?? failure.error });
  }
  return results;
}

/** Input tokens of the 20-step line (0 ms models: tokens do not depend on time). */
export async function measureTokens(peers: readonly Peer[]): Promise<ScenarioResult<TokenCounts>> {
  const results: ScenarioResult<TokenCounts> = new Map();
  for (const peer of peers) {
    const world = lineWorld(LINE_STEPS);
    const { ledger, error } = await runPeer(peer, world, { latencyMs: 0, toolMs: 0 });
    const executorPerStep = world.steps.map((step) => ledger.stepTokens(step.id, 'executor'));
    const perStep = world.steps.map((step, index) => executorPerStep[index]! + ledger.stepTokens(step.id, 'replanner'));
    results.set(peer.id, { value: { run: ledger.inputTokens(), executorPerStep, perStep }, error });
  }
  return results;
}

/** Median overhead and CPU time per step of the 20-step line with 0 ms models. */
export async function measureOverhead(peers: readonly Peer[], settings: ScenarioSettings): Promise<ScenarioResult<OverheadTiming>> {
  const options = { latencyMs: 0, toolMs: settings.toolMs, rounds: settings.overheadRounds, warmup: settings.overheadWarmup };
  const records = await runInTurns(peers, () => lineWorld(LINE_STEPS), options);
  const results: ScenarioResult<OverheadTiming> = new Map();
  for (const [id, runs] of records) {
    const overheadMs = medianOf(runs, (run) => (run.wallMs - run.ledger.modelMs - run.ledger.toolMs) / LINE_STEPS);
    results.set(id, { value: { overheadMs, cpuMs: medianOf(runs, (run) => run.cpuMs / LINE_STEPS) }, error: firstError(runs) });
  }
  return results;
}

/** Median wall time of 4 independent chains × 3 steps at `latencyMs` per model call, and its bound. */
export async function measureDag(peers: readonly Peer[], settings: ScenarioSettings): Promise<ScenarioResult<DagTiming>> {
  const { latencyMs, toolMs } = settings;
  const records = await runInTurns(peers, () => chainsWorld(CHAINS, CHAIN_LENGTH), { latencyMs, toolMs, rounds: settings.dagRounds, warmup: 1 });
  const boundMs = CHAIN_LENGTH * (2 * latencyMs + toolMs) + 2 * latencyMs;
  const results: ScenarioResult<DagTiming> = new Map();
  for (const [id, runs] of records) {
    const maxModelCallsInFlight = Math.max(...runs.map((run) => run.ledger.maxInFlight.model));
    results.set(id, { value: { wallMs: medianOf(runs, (run) => run.wallMs), boundMs, maxModelCallsInFlight }, error: firstError(runs) });
  }
  return results;
}
