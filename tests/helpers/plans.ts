import type { Plan, PlanStep } from '../../src/engine/plan-schema.ts';
import type { StepRequest } from '../../src/engine/ports.ts';
import type { StepStatus, TrackedStep } from '../../src/engine/tracker.ts';
import type { TokenUsage } from '../../src/engine/usage.ts';

/** A plan step with readable defaults: description "Do <id>", expected output "<id> result". */
export function step(id: string, dependsOn: string[] = [], extra: Partial<PlanStep> = {}): PlanStep {
  return { id, description: `Do ${id}`, expectedOutput: `${id} result`, dependsOn, toolHint: null, ...extra };
}

/** A plan over `steps` with the goal "Reach the goal". */
export function plan(steps: PlanStep[], extra: Partial<Plan> = {}): Plan {
  return { goal: 'Reach the goal', steps, rationale: null, ...extra };
}

/** A tracked step (as the scheduler sees it) with the given status. */
export function tracked(id: string, status: StepStatus, dependsOn: string[] = []): TrackedStep {
  return { ...step(id, dependsOn), status, output: status === 'done' ? `${id} out` : null, error: null, attempts: 0 };
}

/** A TokenUsage whose total is input + output. */
export function usage(inputTokens: number, outputTokens: number): TokenUsage {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** The executor's request for step s1 of the task "Add 1 and 2" (tool hint `add`, 3 turns), first attempt, no inputs. */
export function addStepRequest(abortSignal: AbortSignal = new AbortController().signal): StepRequest {
  return { task: 'Add 1 and 2', step: step('s1', [], { toolHint: 'add' }), dependencies: [], attempt: 1, previousError: null, maxIterations: 3, abortSignal };
}
