/**
 * The comparison table: one row per measurement, a column per peer and the ratios
 * ours ÷ peer (below 1: this project spends less). Pure: numbers in, markdown out.
 */
import type { CacheCounts, DirectCounts, StreamOrderTiming, StreamTiming } from './ours-scenarios.ts';
import type { CallCounts, DagTiming, OverheadTiming, TokenCounts } from './peer-scenarios.ts';

/** What the scenarios measured for one peer; a measurement left out (not run, or failed) is undefined. */
export interface PeerMetrics {
  readonly calls?: CallCounts | undefined;
  readonly tokens?: TokenCounts | undefined;
  readonly overhead?: OverheadTiming | undefined;
  readonly dag?: DagTiming | undefined;
  /** This project only: the mechanical line as direct steps. */
  readonly direct?: DirectCounts | undefined;
  /** This project only: a plan-cache hit. */
  readonly cache?: CacheCounts | undefined;
  /** This project only: the DAG under a slow planner, with `streamPlan` and without. */
  readonly stream?: StreamTiming | undefined;
}

/** One row of the table: a value and its text per peer. */
export interface TableRow {
  /** What the row measures. */
  readonly label: string;
  /** The number the ratios use, per peer id (lower is better in every row). */
  readonly values: Readonly<Record<string, number | undefined>>;
  /** The cell text per peer id. */
  readonly cells: Readonly<Record<string, string>>;
}

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const times = (value: number) => `${value.toFixed(2)}×`;
const milliseconds = (value: number) => `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / values.length;

/** Growth of the per-step input from step 2 to the last step (×), or undefined under 2 steps. */
export function contextGrowth(perStep: readonly number[]): number | undefined {
  return perStep.length >= 2 && perStep[1]! > 0 ? perStep.at(-1)! / perStep[1]! : undefined;
}

/** `ours ÷ peer` as `0.57×`; empty when either is missing or the peer's is 0. */
export function ratioCell(ours: number | undefined, peer: number | undefined): string {
  return ours === undefined || peer === undefined || peer === 0 ? '' : times(ours / peer);
}

type Measured = { value: number | undefined; cell: string } | undefined;
type Measure = (metrics: PeerMetrics, peerId: string) => Measured;

function failureCell(calls: CallCounts): string {
  if (calls.hidden) return `${calls.failure} (failure hidden: reports success)`;
  return calls.redone ? String(calls.failure) : `${calls.failure} (step not redone)`;
}

function executorTokens({ tokens }: PeerMetrics) {
  if (!tokens || tokens.executorPerStep.length < 2) return undefined;
  const value = mean(tokens.executorPerStep);
  const [second, last] = [tokens.executorPerStep[1]!, tokens.executorPerStep.at(-1)!];
  const range = Math.abs(last - second) / second > 0.05 ? ` (${integer(second)} → ${integer(last)})` : '';
  return { value, cell: `${integer(value)}${range}` };
}

function growth({ tokens }: PeerMetrics) {
  const value = tokens && contextGrowth(tokens.perStep);
  return value === undefined ? undefined : { value, cell: times(value) };
}

/** A peer without direct steps runs the same plan through its executor: its number, marked so. */
const executorRun = (note = '') => `(executor steps${note})`;

/** Ours from its direct-step run; a peer from its ordinary run of the same plan, marked as such. */
function direct(ours: (counts: DirectCounts) => Measured, peer: (metrics: PeerMetrics) => number | undefined): Measure {
  return (metrics, peerId) => {
    if (peerId === 'ours') return metrics.direct && ours(metrics.direct);
    const value = peer(metrics);
    return value === undefined ? undefined : { value, cell: `${integer(value)} ${executorRun()}` };
  };
}

/** The failure row: a peer's tool failure in its executor run, hidden or not. */
const directFailureRow: Measure = (metrics, peerId) => {
  if (peerId === 'ours') return metrics.direct && directFailure(metrics.direct);
  const { calls } = metrics;
  const how = calls?.hidden ? '; failure hidden: reports success' : calls?.redone === false ? '; step not redone' : '';
  return calls && { value: calls.failure, cell: `${calls.failure} ${executorRun(how)}` };
};

function directFailure(counts: DirectCounts): Measured {
  const how = counts.takenOver ? 'the executor took S03 over' : 'S03 not taken over';
  return { value: counts.failureCalls, cell: `${counts.failureCalls} (${how}; ${counts.sameOutputs ? 'same outputs' : 'OUTPUTS DIFFER'})` };
}

function cacheHit(metrics: PeerMetrics, peerId: string): Measured {
  if (peerId !== 'ours') return { value: undefined, cell: 'n/a (no plan cache)' };
  const cache = metrics.cache;
  return (
    cache && {
      value: cache.secondPlannerCalls,
      cell: `${cache.secondPlannerCalls} (run 1: ${cache.firstPlannerCalls}; run 2: ${cache.secondCalls} model call${cache.secondCalls === 1 ? '' : 's'} in all)`,
    }
  );
}

/** Ours: wall with `streamPlan` ÷ wall without, both against the bound; the peers wait for the whole plan. */
function streamed(order: 'chains' | 'levels'): Measure {
  return (metrics, peerId) => {
    if (peerId !== 'ours') return { value: undefined, cell: 'n/a (waits for the whole plan)' };
    const stream = metrics.stream;
    if (!stream) return undefined;
    const timing: StreamOrderTiming = stream[order];
    const calls =
      timing.streamedExecutorCalls === timing.wholeExecutorCalls
        ? `${timing.streamedExecutorCalls} executor calls in both`
        : `EXECUTOR CALLS ${timing.wholeExecutorCalls} → ${timing.streamedExecutorCalls}`;
    const value = timing.streamedMs / timing.wholeMs;
    const bound = (ms: number) => times(ms / stream.boundMs);
    return { value, cell: `${times(value)} (${bound(timing.streamedMs)} vs ${bound(timing.wholeMs)} of the bound; ${calls})` };
  };
}

const MEASURES: readonly (readonly [string, Measure])[] = [
  ['5-step plan, model calls (happy path)', ({ calls }) => calls && { value: calls.happy, cell: String(calls.happy) }],
  ['the same, one tool failure', ({ calls }) => calls && { value: calls.failure, cell: failureCell(calls) }],
  ['20-step plan, input tokens for the whole run', ({ tokens }) => tokens && { value: tokens.run, cell: integer(tokens.run) }],
  ['executor input tokens per step (mean; step 2 → 20 when it grows)', executorTokens],
  ['context growth, step 2 → step 20', growth],
  ['overhead per step with 0 ms models', ({ overhead }) => overhead && { value: overhead.overheadMs, cell: milliseconds(overhead.overheadMs) }],
  ['process CPU per step with 0 ms models (steadier under load)', ({ overhead }) => overhead && { value: overhead.cpuMs, cell: milliseconds(overhead.cpuMs) }],
  ['12-step DAG (4 chains × 3): wall ÷ critical path', ({ dag }) => dag && { value: dag.wallMs / dag.boundMs, cell: times(dag.wallMs / dag.boundMs) }],
  [
    '5-step mechanical plan as direct steps, model calls',
    direct(
      (counts) => ({ value: counts.happyCalls, cell: String(counts.happyCalls) }),
      ({ calls }) => calls?.happy,
    ),
  ],
  [
    'the same, input tokens for the whole run',
    direct(
      (counts) => ({ value: counts.happyTokens, cell: integer(counts.happyTokens) }),
      ({ calls }) => calls?.happyTokens,
    ),
  ],
  ['the same, one direct call throwing once: model calls', directFailureRow],
  [
    '20-step mechanical plan as direct steps, input tokens for the whole run',
    direct(
      (counts) => ({ value: counts.lineTokens, cell: integer(counts.lineTokens) }),
      ({ tokens }) => tokens?.run,
    ),
  ],
  [
    'overhead per step, the 20-step plan as direct steps with 0 ms models (no model call per step)',
    (metrics, peerId) => {
      if (peerId === 'ours') return metrics.direct && { value: metrics.direct.lineOverheadMs, cell: milliseconds(metrics.direct.lineOverheadMs) };
      const { overhead } = metrics;
      return overhead && { value: overhead.overheadMs, cell: `${milliseconds(overhead.overheadMs)} ${executorRun()}` };
    },
  ],
  ['plan-cache hit (the 5-step task run twice, one cache): planner calls in run 2', cacheHit],
  ['12-step DAG, a planner writing for --plan-ms, planned chain by chain: wall with streamPlan ÷ without', streamed('chains')],
  ['the same, planned level by level', streamed('levels')],
];

/** The rows of the table for `metrics`, keyed by peer id. */
export function tableRows(metrics: ReadonlyMap<string, PeerMetrics>): TableRow[] {
  return MEASURES.map(([label, measure]) => {
    const values: Record<string, number | undefined> = {};
    const cells: Record<string, string> = {};
    for (const [id, peerMetrics] of metrics) {
      const measured = measure(peerMetrics, id);
      values[id] = measured?.value;
      cells[id] = measured?.cell ?? '–';
    }
    return { label, values, cells };
  });
}

/**
 * The rows as a markdown table: a column per peer in `peers` (id and heading), then `ours/<heading>`
 * for every other peer.
 */
export function formatTable(rows: readonly TableRow[], peers: readonly { readonly id: string; readonly heading: string }[]): string {
  const others = peers.filter((peer) => peer.id !== 'ours');
  const header = ['', ...peers.map((peer) => peer.heading), ...others.map((peer) => `ours/${peer.heading}`)];
  const lines = rows.map((row) => [
    row.label,
    ...peers.map((peer) => row.cells[peer.id] ?? '–'),
    ...others.map((peer) => ratioCell(row.values.ours, row.values[peer.id])),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
