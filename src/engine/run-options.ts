import type { PlanRunListener } from './events.ts';
import type { Plan } from './plan-schema.ts';
import type { FailurePolicy } from './policy.ts';
import type { Executor, Planner, Synthesizer, ToolInfo } from './ports.ts';
import type { RunStore } from './run-store.ts';

/** A human (or code) gate before execution: true approves, false rejects, a Plan replaces the plan. */
export type ApprovePlan = (plan: Plan) => boolean | Plan | Promise<boolean | Plan>;

/** Limits and switches of one run; `DEFAULTS` holds the default of each. */
export interface RunSettings {
  /** @default true */
  readonly replanOnFailure: boolean;
  /** @default 2 */
  readonly maxReplans: number;
  /** @default 1 */
  readonly maxRetries: number;
  /** @default 5 */
  readonly maxStepIterations: number;
  /** @default 10 */
  readonly maxSteps: number;
  /** @default 4 */
  readonly concurrency: number;
  /** @default 2 */
  readonly maxPlanRepairs: number;
  /** @default true */
  readonly synthesize: boolean;
  /** Per-attempt time limit; none by default. */
  readonly stepTimeoutMs?: number | undefined;
  /** Token budget for the whole run; none by default. */
  readonly budget?: { readonly maxTokens: number } | undefined;
  /** Human gate before execution; none by default. */
  readonly approvePlan?: ApprovePlan | undefined;
  /** What to do after a failed attempt. @default defaultFailurePolicy */
  readonly failurePolicy: FailurePolicy;
}

/** Everything `runPlan` needs: the three roles, the tool catalogue, settings and the caller's hooks. */
export interface RunPlanInput {
  /** The user's task. */
  readonly task: string;
  /** Writes and revises the plan. */
  readonly planner: Planner;
  /** Runs steps. */
  readonly executor: Executor;
  /** Merges outputs; unused when `settings.synthesize` is false. */
  readonly synthesizer: Synthesizer;
  /** The executor's tools, as the planner sees them. */
  readonly tools: readonly ToolInfo[];
  /** Limits and switches. */
  readonly settings: RunSettings;
  /** Id of the run; a random UUID by default. */
  readonly runId?: string | undefined;
  /** Cancels the run: it resolves `cancelled` with partial results. */
  readonly abortSignal?: AbortSignal | undefined;
  /** Receives every event; a throwing listener never breaks the run. */
  readonly onEvent?: PlanRunListener | undefined;
  /** Checkpoints the run after every step transition, so `resumePlan` can finish it after a crash. */
  readonly store?: RunStore | undefined;
}
