import type { TrackedStep } from './tracker.ts';

const isSettled = (step: TrackedStep) => step.status === 'done' || step.status === 'skipped';

/**
 * Ids of the steps that may start now: pending, with every dependency done or skipped, in plan
 * order. A skipped dependency counts as settled: skipping means the run goes on without it.
 */
export function readyStepIds(steps: readonly TrackedStep[]): string[] {
  const settled = new Set(steps.filter(isSettled).map((step) => step.id));
  return steps.filter((step) => step.status === 'pending' && step.dependsOn.every((id) => settled.has(id))).map((step) => step.id);
}

/** Attempts begun while the plan was written (`streamPlan`), as the scheduler counts them. */
export interface EarlyWork {
  /** True when an attempt of this very step waits to be taken over. */
  holds(step: TrackedStep): boolean;
  /** True when that attempt is still running. */
  isRunning(step: TrackedStep): boolean;
  /** Attempts still running and not taken over yet. */
  inFlight(): number;
}

/**
 * The ready steps to start now so that at most `concurrency` steps run at once, in plan order.
 * With `early` work, the ready steps whose held attempt is still running are always among them
 * (they run already, and count as running); the free slots go first to those whose held attempt
 * ended, then to the others.
 */
export function nextBatch(steps: readonly TrackedStep[], concurrency: number, early?: EarlyWork): string[] {
  const running = steps.filter((step) => step.status === 'in_progress').length + (early?.inFlight() ?? 0);
  const readyIds = new Set(readyStepIds(steps));
  const ready = steps.filter((step) => readyIds.has(step.id));
  const alive = early ? ready.filter((step) => early.holds(step) && early.isRunning(step)) : [];
  const ended = early ? ready.filter((step) => early.holds(step) && !alive.includes(step)) : [];
  const others = ready.filter((step) => !alive.includes(step) && !ended.includes(step));
  const chosen = new Set([...alive, ...[...ended, ...others].slice(0, Math.max(0, concurrency - running))]);
  return ready.filter((step) => chosen.has(step)).map((step) => step.id);
}

/** True when every step is done or skipped. */
export function isPlanSettled(steps: readonly TrackedStep[]): boolean {
  return steps.every(isSettled);
}
