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

/** The ready steps to start now so that at most `concurrency` steps run at once. */
export function nextBatch(steps: readonly TrackedStep[], concurrency: number): string[] {
  const running = steps.filter((step) => step.status === 'in_progress').length;
  return readyStepIds(steps).slice(0, Math.max(0, concurrency - running));
}

/** True when every step is done or skipped. */
export function isPlanSettled(steps: readonly TrackedStep[]): boolean {
  return steps.every(isSettled);
}
