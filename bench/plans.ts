import type { Plan, PlanStep } from '../src/engine/plan-schema.ts';

const step = (id: string, dependsOn: string[]): PlanStep => ({
  id,
  description: `Do ${id}`,
  expectedOutput: `${id} result`,
  dependsOn,
  toolHint: null,
});

/** A plan of `count` steps that depend on nothing: `s1` … `s<count>`. */
export function independentPlan(count: number): Plan {
  return { goal: `Run ${count} independent steps`, rationale: null, steps: Array.from({ length: count }, (_, index) => step(`s${index + 1}`, [])) };
}

/** A plan of steps in a line, each depending on the one before: `s1` → `s2` → … */
export function chainPlan(count: number): Plan {
  const steps = Array.from({ length: count }, (_, index) => step(`s${index + 1}`, index === 0 ? [] : [`s${index}`]));
  return { goal: `Run ${count} steps in a line`, rationale: null, steps };
}

/**
 * A layered DAG: `widths[i]` steps in layer i, each depending on every step of layer i − 1.
 * `[2, 4, 2]` is the diamond 2 → 4 → 2; its critical path has `widths.length` steps.
 */
export function layeredPlan(widths: readonly number[]): Plan {
  const layers: string[][] = widths.map((width, layer) => Array.from({ length: width }, (_, index) => `l${layer + 1}s${index + 1}`));
  const steps = layers.flatMap((ids, layer) => ids.map((id) => step(id, layer === 0 ? [] : layers[layer - 1]!)));
  return { goal: `Run the layers ${widths.join(' → ')}`, rationale: null, steps };
}

/**
 * Lower bound on the wall time of `widths` layers of equal-length steps at `concurrency`: each
 * layer takes ⌈width / concurrency⌉ rounds of `stepMs`, and a layer cannot start before the last.
 */
export function criticalPathMs(widths: readonly number[], concurrency: number, stepMs: number): number {
  return widths.reduce((total, width) => total + Math.ceil(width / concurrency) * stepMs, 0);
}
