import { cpus, loadavg, platform, arch } from 'node:os';

/** One line of the bench's output. */
export interface BenchRow {
  /** The scenario that measured it: `parallel`, `overhead`, `framework` or `memory`. */
  readonly scenario: string;
  /** What was measured. */
  readonly label: string;
  /** The median of the timed runs (memory: the fitted growth per run). */
  readonly value: number;
  /** Unit of `value`. */
  readonly unit: 'ms' | 'µs/step' | 'ms/run' | 'ms/call' | 'B/run';
  /** `value` relative to the scenario's baseline row (speedup, or cost multiple); null when not compared. */
  readonly ratio: number | null;
  /** The best `ratio` the scenario allows (critical-path bound); null when there is none. */
  readonly ideal: number | null;
  /** Timed runs behind `value`. */
  readonly runs: number;
}

/** The machine the numbers come from. */
export interface Machine {
  /** Logical cores. */
  readonly cpus: number;
  /** Model of the first core. */
  readonly cpuModel: string;
  /** Node version running the bench. */
  readonly node: string;
  /** OS and architecture, as `linux-x64`. */
  readonly platform: string;
  /** One-minute load average at the start: other processes skew absolute times, not ratios. */
  readonly loadAverage: number;
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${platform()}-${arch()}`,
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
  };
}

const formatValue = (row: BenchRow) => {
  const digits = row.unit === 'B/run' ? 0 : row.value >= 100 ? 0 : row.value >= 10 ? 1 : 2;
  return `${row.value.toFixed(digits)} ${row.unit}`;
};
const formatRatio = (ratio: number | null) => (ratio === null ? '' : `${ratio.toFixed(2)}×`);

/** The rows as an aligned plain-text table under a line describing the machine. */
export function formatTable(machine: Machine, rows: readonly BenchRow[], seconds: number): string {
  const header = ['scenario', 'case', 'median', 'ratio', 'ideal', 'runs'];
  const cells = rows.map((row) => [row.scenario, row.label, formatValue(row), formatRatio(row.ratio), formatRatio(row.ideal), String(row.runs)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  // Text columns align left, numbers right.
  const line = (values: string[]) => values.map((value, column) => (column < 2 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join('  ');
  const title = `${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, ${machine.platform}, load ${machine.loadAverage}`;
  return [title, '', line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line), '', `${seconds.toFixed(1)} s in all`].join('\n');
}
