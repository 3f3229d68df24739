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
  /** Attempts still running and not taken over yet. */
  inFlight(): number;
}

/**
 * The ready steps to start now so that at most `concurrency` steps run at once. With `early`
 * work, the ready steps it holds come first and always (they are running already), and its
 * attempts in flight take slots from the others.
 */
export function nextBatch(steps: readonly TrackedStep[], concurrency: number, early?: EarlyWork): string[] {
  const running = steps.filter((step) => step.status === 'in_progress').length + (early?.inFlight() ?? 0);
  const readyIds = new Set(readyStepIds(steps));
  const ready = steps.filter((step) => readyIds.has(step.id));
  const held = early ? ready.filter((step) => early.holds(step)) : [];
  const others = ready.filter((step) => !held.includes(step));
  return [...held, ...others.slice(0, Math.max(0, concurrency - running))].map((step) => step.id);
}

/** True when every step is done or skipped. */
export function isPlanSettled(steps: readonly TrackedStep[]): boolean {
  return steps.every(isSettled);
}
