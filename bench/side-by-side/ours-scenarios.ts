/**
 * The rows of `npm run bench -- peers` only this project has a feature for: the mechanical line
 * written as direct steps (5 steps happy and with one direct call throwing once; 20 steps for
 * tokens and overhead), a plan-cache hit, and the DAG under a slow planner with and without
 * `streamPlan`. Counts and tokens are exact; the peers' columns compare with
 * their ordinary runs of the same plan (ratio-table.ts).
 */
import { InMemoryPlanCache } from '../../src/engine/plan-cache.ts';
import type { Ledger } from './ledger.ts';
import { type OursOutputMode, oursPeer } from './ours-peer.ts';
import type { Peer } from './peer.ts';
import { medianOf, type PeerRunRecord, runInTurns, runPeer } from './peer-runs.ts';
import type { ScenarioResult, ScenarioSettings } from './peer-scenarios.ts';
import { chainsWorld, lineWorld, resultOf, type World } from './world.ts';

/** Model calls and tokens of the mechanical line as direct steps. */
export interface DirectCounts {
  /** Model calls of the 5-step line. */
  readonly happyCalls: number;
  /** Its input tokens. */
  readonly happyTokens: number;
  /** Model calls of the same with step 3's direct call throwing once. */
  readonly failureCalls: number;
  /** True when the executor did step 3 after its direct call threw. */
  readonly takenOver: boolean;
  /**
   * True when both runs completed with the same answer and the same successful `work` calls, and
   * in both every step's `input` was the result of the step before (its `$ref` filled in).
   */
  readonly sameOutputs: boolean;
  /** Model calls of the 20-step line. */
  readonly lineCalls: number;
  /** Its input tokens. */
  readonly lineTokens: number;
  /** Its overhead per step with 0 ms models, median, in ms (as the overhead scenario measures it). */
  readonly lineOverheadMs: number;
}

/** Two runs of the same task sharing one InMemoryPlanCache. */
export interface CacheCounts {
  /** Planner calls of the first run (a miss: it plans). */
  readonly firstPlannerCalls: number;
  /** Planner calls of the second run (a hit: none). */
  readonly secondPlannerCalls: number;
  /** Every model call of the second run. */
  readonly secondCalls: number;
}

/** The DAG's wall times with a planner that writes its plan over `planMs`, one plan order. */
export interface StreamOrderTiming {
  /** Median wall time without `streamPlan`, in ms. */
  readonly wholeMs: number;
  /** Median wall time with it, in ms. */
  readonly streamedMs: number;
  /** Executor model calls of the first timed run with it (the same as without when no step ran twice). */
  readonly streamedExecutorCalls: number;
  /** The same without it. */
  readonly wholeExecutorCalls: number;
}

/** The 12-step DAG with a slow planner, steps planned chain by chain and level by level. */
export interface StreamTiming {
  /** How long the planner takes to write its plan, in ms. */
  readonly planMs: number;
  /** The critical path without streaming: the plan's writing time, 3 × 2 executor calls and the final call. */
  readonly boundMs: number;
  readonly chains: StreamOrderTiming;
  readonly levels: StreamOrderTiming;
}

const CALL_STEPS = 5;
const LINE_STEPS = 20;
const FAILING_STEP = 'S03';
const NO_WAIT = { latencyMs: 0, toolMs: 0 };
const DAG_CHAINS = 4;
const DAG_LENGTH = 3;

/** The successful `work` calls of a run as `step <- input`, in step order: what the run computed. */
const workDone = (ledger: Ledger) =>
  ledger.toolRuns
    .filter((run) => run.ok)
    .map((run) => `${run.step} <- ${run.input ?? ''}`)
    .sort();

/** True when every step after the first got the result of the step before as its `input`. */
function inputsChained(world: World, ledger: Ledger): boolean {
  return world.steps.every((step, index) => {
    const expected = index === 0 ? undefined : resultOf(world.steps[index - 1]!);
    return ledger.toolRuns.some((run) => run.ok && run.step === step.id && run.input === expected);
  });
}

/** True when `failure` completed with `happy`'s answer and the same successful `work` calls, chained in both. */
function sameOutputs(world: World, happy: PeerRunRecord, failure: PeerRunRecord): boolean {
  if (happy.error !== undefined || failure.error !== undefined || happy.output !== failure.output) return false;
  if (!inputsChained(world, happy.ledger) || !inputsChained(world, failure.ledger)) return false;
  return JSON.stringify(workDone(happy.ledger)) === JSON.stringify(workDone(failure.ledger));
}

const plannerCalls = (ledger: Ledger) => ledger.count('planner') + ledger.count('replanner');

/** Median overhead per step of the 20-step direct line, timed like the overhead scenario; and its first timed run. */
async function timeLine(peer: Peer, settings: ScenarioSettings) {
  const options = { latencyMs: 0, toolMs: settings.toolMs, rounds: settings.overheadRounds, warmup: settings.overheadWarmup };
  const runs = (await runInTurns([peer], () => lineWorld(LINE_STEPS), options)).get(peer.id)!;
  return { line: runs[0]!, overheadMs: medianOf(runs, (run) => (run.wallMs - run.ledger.modelMs - run.ledger.toolMs) / LINE_STEPS) };
}

/** The mechanical line as direct steps: 5 steps happy and with one failing direct call, then 20 steps (also timed). */
export async function measureDirect(mode: OursOutputMode, settings: ScenarioSettings): Promise<ScenarioResult<DirectCounts>> {
  const peer = oursPeer(mode, { direct: true });
  const happy = await runPeer(peer, lineWorld(CALL_STEPS), NO_WAIT);
  const failure = await runPeer(peer, lineWorld(CALL_STEPS, [FAILING_STEP]), NO_WAIT);
  const { line, overheadMs } = await timeLine(peer, settings);
  const value: DirectCounts = {
    happyCalls: happy.ledger.count(),
    happyTokens: happy.ledger.inputTokens(),
    failureCalls: failure.ledger.count(),
    takenOver: failure.ledger.calls.some((call) => call.role === 'executor' && call.step === FAILING_STEP),
    sameOutputs: sameOutputs(lineWorld(CALL_STEPS), happy, failure),
    lineCalls: line.ledger.count(),
    lineTokens: line.ledger.inputTokens(),
    lineOverheadMs: overheadMs,
  };
  return new Map([['ours', { value, error: happy.error ?? failure.error ?? line.error }]]);
}

/** The 5-step direct line run twice with one InMemoryPlanCache: planner calls of each run. */
export async function measureCache(mode: OursOutputMode): Promise<ScenarioResult<CacheCounts>> {
  const peer = oursPeer(mode, { direct: true, planCache: new InMemoryPlanCache() });
  const first = await runPeer(peer, lineWorld(CALL_STEPS), NO_WAIT);
  const second = await runPeer(peer, lineWorld(CALL_STEPS), NO_WAIT);
  const value: CacheCounts = {
    firstPlannerCalls: plannerCalls(first.ledger),
    secondPlannerCalls: plannerCalls(second.ledger),
    secondCalls: second.ledger.count(),
  };
  return new Map([['ours', { value, error: first.error ?? second.error }]]);
}

/** Times the DAG with and without `streamPlan` in plan order `order`, the two taking turns. */
async function timeStreamed(mode: OursOutputMode, settings: ScenarioSettings, order: 'chains' | 'levels'): Promise<StreamOrderTiming & { error?: string }> {
  const planStreamMs = settings.planMs;
  const whole = oursPeer(mode, { planStreamMs });
  const streamed = { ...oursPeer(mode, { planStreamMs, streamPlan: true }), id: 'ours-streamed' };
  const options = { latencyMs: settings.latencyMs, toolMs: settings.toolMs, rounds: settings.dagRounds, warmup: 1 };
  const runs = await runInTurns([whole, streamed], () => chainsWorld(DAG_CHAINS, DAG_LENGTH, order), options);
  const [wholeRuns, streamedRuns] = [runs.get(whole.id)!, runs.get(streamed.id)!];
  const error = [...wholeRuns, ...streamedRuns].find((run) => run.error !== undefined)?.error;
  return {
    wholeMs: medianOf(wholeRuns, (run) => run.wallMs),
    streamedMs: medianOf(streamedRuns, (run) => run.wallMs),
    wholeExecutorCalls: wholeRuns[0]!.ledger.count('executor'),
    streamedExecutorCalls: streamedRuns[0]!.ledger.count('executor'),
    ...(error === undefined ? {} : { error }),
  };
}

/** The 12-step DAG (4 chains × 3) with a planner writing over `settings.planMs`: wall times with `streamPlan` and without, in both plan orders. */
export async function measureStream(mode: OursOutputMode, settings: ScenarioSettings): Promise<ScenarioResult<StreamTiming>> {
  const { error: chainsError, ...chains } = await timeStreamed(mode, settings, 'chains');
  const { error: levelsError, ...levels } = await timeStreamed(mode, settings, 'levels');
  const boundMs = settings.planMs + DAG_LENGTH * (2 * settings.latencyMs + settings.toolMs) + settings.latencyMs;
  return new Map([['ours', { value: { planMs: settings.planMs, boundMs, chains, levels }, error: chainsError ?? levelsError }]]);
}
