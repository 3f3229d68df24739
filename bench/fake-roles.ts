import type { Plan } from '../src/engine/plan-schema.ts';
import type { Executor, Planner, Synthesizer } from '../src/engine/ports.ts';
import { resolveSettings, type RunSettingsInput } from '../src/engine/settings.ts';
import type { RunPlanInput } from '../src/engine/run-input.ts';
import type { RunStore } from '../src/engine/run-store.ts';
import type { TokenUsage } from '../src/engine/usage.ts';

/** What every fake reply reports: a few tokens, so the usage meter does real work. */
const FAKE_USAGE: TokenUsage = Object.freeze({ inputTokens: 10, outputTokens: 20, totalTokens: 30 });

/** A planner that answers `plan` every time and never expects a replan (no step fails). */
export function fixedPlanner(plan: Plan): Planner {
  return {
    plan: async () => ({ value: structuredClone(plan), usage: FAKE_USAGE }),
    replan: async () => {
      throw new Error('bench planner: no step fails, so replan is never called');
    },
  };
}

/** Resolves after `ms` with no abort handling: the bench never cancels a run. */
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An executor whose every step succeeds with "<id> out" after `delayMs` (0: at once, no timer). */
export function delayedExecutor(delayMs: number): Executor {
  return {
    async execute({ step }) {
      if (delayMs > 0) await wait(delayMs);
      return { value: { success: true, output: `${step.id} out`, error: null }, usage: FAKE_USAGE, toolCalls: 0 };
    },
  };
}

/** A synthesizer that joins the step outputs, one "<id>: <output>" line each. */
export function joiningSynthesizer(): Synthesizer {
  return {
    synthesize: async ({ steps }) => ({ value: steps.map((done) => `${done.id}: ${done.output}`).join('\n'), usage: FAKE_USAGE }),
  };
}

/** Options of {@link fakeRunInput}. */
export interface FakeRunOptions extends RunSettingsInput {
  /** How long each step takes. @default 0 */
  readonly delayMs?: number;
  /** Where the run is checkpointed; none by default. */
  readonly store?: RunStore;
}

/** A `runPlan` input running `plan` on plain function fakes; `maxPlanSteps` defaults to the plan's length. */
export function fakeRunInput(plan: Plan, { delayMs = 0, store, ...settings }: FakeRunOptions = {}): RunPlanInput {
  return {
    task: plan.goal,
    planner: fixedPlanner(plan),
    executor: delayedExecutor(delayMs),
    synthesizer: joiningSynthesizer(),
    tools: [],
    settings: resolveSettings({ maxPlanSteps: plan.steps.length, ...settings }),
    store,
  };
}
