import type { PlanRunListener } from './events.ts';
import type { DirectToolRunner, Executor, Planner, Synthesizer, ToolInfo } from './ports.ts';
import type { PlanCache } from './plan-cache.ts';
import type { RunStore } from './run-store.ts';
import type { RunSettings } from './settings.ts';

/** What every run needs, new or resumed: the three roles, the tool catalogue, settings and the caller's hooks. */
export interface RunRoles {
  /** Writes and revises the plan. */
  readonly planner: Planner;
  /** Runs steps. */
  readonly executor: Executor;
  /** Merges outputs; unused when `settings.synthesize` is false. */
  readonly synthesizer: Synthesizer;
  /** The executor's tools, as the planner sees them. */
  readonly tools: readonly ToolInfo[];
  /** Calls tools for direct steps without a model; without it, direct steps go to the executor. */
  readonly toolRunner?: DirectToolRunner | undefined;
  /** Plans kept from earlier runs of the same task with the same tools and planner; none by default. */
  readonly planCache?: PlanCache | undefined;
  /** Who the planner is, for the plan cache key (model id and an instructions hash); '' when unknown. */
  readonly plannerIdentity?: string | undefined;
  /** Limits and switches. */
  readonly settings: RunSettings;
  /** Cancels the run: it resolves `cancelled` with partial results. */
  readonly abortSignal?: AbortSignal | undefined;
  /** Receives every event; a throwing listener never breaks the run. */
  readonly onEvent?: PlanRunListener | undefined;
}

/** Everything `runPlan` needs to start a new run. */
export interface RunPlanInput extends RunRoles {
  /** The user's task. */
  readonly task: string;
  /** Id of the run; a random UUID by default. A store that already holds this id refuses the run. */
  readonly runId?: string | undefined;
  /** Checkpoints the run after every step transition, so `resumePlan` can finish it after a crash. */
  readonly store?: RunStore | undefined;
}

/** Everything `resumePlan` needs: the task comes from the stored record. */
export interface ResumeInput extends RunRoles {
  /** The run to carry on. */
  readonly runId: string;
  /** Where it was checkpointed. */
  readonly store: RunStore;
}
