import { Agent, type ToolsInput } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import { createExecutorAgent } from './agents/executor.ts';
import { checkOutputModes, type StructuredOutputOptions } from './agents/output-mode.ts';
import { createPlannerAgent } from './agents/planner.ts';
import { createSynthesizerAgent } from './agents/synthesizer.ts';
import { InvalidOptionsError } from './engine/errors.ts';
import { eventStream } from './engine/event-stream.ts';
import type { PlanRunEvent, PlanRunListener } from './engine/events.ts';
import type { PlanCache } from './engine/plan-cache.ts';
import type { ToolInfo } from './engine/ports.ts';
import type { PlanRunResult } from './engine/result.ts';
import { secretsFromEnv } from './engine/redact.ts';
import { resumePlan, runPlan } from './engine/run-plan.ts';
import type { RunRoles } from './engine/run-input.ts';
import type { RunStore } from './engine/run-store.ts';
import { resolveSettings, type RunSettings, type RunSettingsInput } from './engine/settings.ts';
import { agentRunRoles, toolCatalogue } from './mastra/agent-roles.ts';

/** A role given as a ready Mastra Agent, or as a model to wrap in the default agent for that role. */
export type RoleInput = Agent | MastraModelConfig;

/** Options of `new PlanAndExecute()`; every run setting is optional and defaults to `DEFAULTS`. */
export interface PlanAndExecuteOptions extends RunSettingsInput {
  /** Writes and revises the plan. */
  readonly planner: RoleInput;
  /** Runs each step with `tools`. */
  readonly executor: RoleInput;
  /** Merges the outputs. @default the planner's model in the default synthesizer agent */
  readonly synthesizer?: RoleInput;
  /** The executor's tools, keyed by the name plans use; only with a model as `executor`. @default {} */
  readonly tools?: ToolsInput;
  /** Checkpoints every run after each step transition, so `resume(runId)` can finish it after a crash. */
  readonly store?: RunStore;
  /**
   * How the planner and the executor obtain structured answers: `native` (response_format),
   * `prompt` (the fields in the prompt), `tool` (executor only: a final-answer tool). @default { planner: 'auto', executor: 'auto' }
   */
  readonly structuredOutput?: StructuredOutputOptions;
  /**
   * Strings replaced by `[REDACTED]` in events, results, stored records, traces and logs, on top
   * of the environment's secrets (values of `*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`, … of at
   * least 8 characters, and passwords inside URLs), which are always redacted. @default []
   */
  readonly redact?: readonly string[];
  /** Longest tool result the executor model is shown, in characters; only with a model as `executor`. @default 32768 */
  readonly maxToolResultChars?: number;
  /**
   * Plans kept across runs (`InMemoryPlanCache`, `LibSQLPlanCache`, `PostgresPlanCache`): a run of
   * the same task (trimmed, whitespace collapsed, case ignored) with the same tools and planner
   * takes the stored plan, still validated, without calling the planner. A plan is stored once a
   * run on it completed unrevised, for `planCacheTtlMs`. @default none
   */
  readonly planCache?: PlanCache;
}

/** Per-run hooks. */
export interface RunOptions {
  /** Cancels the run; it then resolves `cancelled` with partial results. */
  readonly abortSignal?: AbortSignal;
  /** Receives every event; a throwing listener never breaks the run. */
  readonly onEvent?: PlanRunListener;
  /** Id of the run. @default a random UUID */
  readonly runId?: string;
}

const isAgent = (role: unknown): role is Agent => role instanceof Agent;

/**
 * The Plan & Execute agent: a planner Agent writes a typed plan, an executor Agent runs each
 * step in a bounded tool loop (independent steps in parallel), failures are retried or replanned,
 * and a synthesizer Agent merges the results.
 *
 * @example
 * const agent = new PlanAndExecute({ planner: openai('gpt-4o-mini'), executor: openai('gpt-4o-mini'), tools: { search } });
 * const result = await agent.run('Compare the three vendors', { onEvent: (event) => console.log(event.type) });
 * console.log(result.status, result.finalOutput);
 */
export class PlanAndExecute {
  /** The planner Agent (given, or built from the given model). */
  readonly planner: Agent;
  /** The executor Agent. */
  readonly executor: Agent;
  /** The synthesizer Agent. */
  readonly synthesizer: Agent;
  /** The settings every run uses (`redact` as given: the environment's secrets are added per run, privately). */
  readonly settings: RunSettings;
  readonly #envSecrets: readonly string[];

  private readonly store: RunStore | undefined;
  private readonly planCache: PlanCache | undefined;
  private readonly structuredOutput: StructuredOutputOptions;

  /** Throws InvalidOptionsError for a missing role, an unknown output mode or an out-of-range setting. */
  constructor({ planner, executor, synthesizer, tools, store, structuredOutput, maxToolResultChars, planCache, ...settings }: PlanAndExecuteOptions) {
    this.settings = resolveSettings(settings);
    // Checked first (above), so the message names the caller's list, never the environment's values.
    // The environment's secret values join the run settings only when a run starts: the public `settings` never hold them.
    this.#envSecrets = secretsFromEnv(process.env);
    this.store = store;
    this.planCache = planCache;
    checkOutputModes(structuredOutput);
    // Left-out roles stay unset, so an Agent created with its own mode keeps it.
    this.structuredOutput = structuredOutput ?? {};
    if (!planner) throw new InvalidOptionsError(`Expected \`planner\` to be a Mastra Agent or a language model, got ${String(planner)}`);
    if (!executor) throw new InvalidOptionsError(`Expected \`executor\` to be a Mastra Agent or a language model, got ${String(executor)}`);
    if (isAgent(executor) && tools) {
      throw new InvalidOptionsError('`tools` goes with an executor model; give an executor Agent its tools in its own config');
    }
    this.planner = isAgent(planner) ? planner : createPlannerAgent({ model: planner });
    this.executor = isAgent(executor)
      ? executor
      : createExecutorAgent({ model: executor, tools: tools ?? {}, ...(maxToolResultChars === undefined ? {} : { maxToolResultChars }) });
    this.synthesizer = isAgent(synthesizer) ? synthesizer : createSynthesizerAgent({ model: synthesizer ?? this.plannerModel() });
  }

  /**
   * Plans, executes and synthesises `task`. Resolves for every outcome of the plan itself
   * (`completed`, `failed`, `aborted`, `cancelled`, `rejected`); rejects only before anything ran:
   * InvalidOptionsError for an empty task or a `runId` the store already holds, StoreFailedError
   * when the store cannot record the run.
   */
  async run(task: string, { abortSignal, onEvent, runId }: RunOptions = {}): Promise<PlanRunResult> {
    if (typeof task !== 'string' || task.trim() === '') {
      throw new InvalidOptionsError(`Expected \`task\` to be a non-empty string, got ${JSON.stringify(task)}`);
    }
    return runPlan({ ...(await this.runRoles({ abortSignal, onEvent })), task, runId, store: this.store });
  }

  /**
   * Finishes the run `runId` from the `store` after a crash or a stop: done steps are not run or
   * billed again. A run that had ended resolves to its stored result. Rejects with
   * InvalidOptionsError when there is no store or no such run, RunLockedError when another owner holds it.
   */
  async resume(runId: string, { abortSignal, onEvent }: Omit<RunOptions, 'runId'> = {}): Promise<PlanRunResult> {
    if (!this.store) throw new InvalidOptionsError('`resume` needs a `store` in the PlanAndExecute options');
    return resumePlan({ ...(await this.runRoles({ abortSignal, onEvent })), runId, store: this.store });
  }

  /**
   * What one run of this agent is made of — the role ports, the tool catalogue, the settings (the
   * environment's secrets added to `redact`) and the hooks — for a driver of its own, such as the
   * fleet's workers (`startWorker`). The store is not included: the driver brings its own.
   */
  runRoles({ abortSignal, onEvent }: Pick<RunOptions, 'abortSignal' | 'onEvent'> = {}): Promise<RunRoles> {
    return agentRunRoles(this, this.runSettings(), { abortSignal, onEvent, planCache: this.planCache }, this.structuredOutput);
  }

  /** The same run as `run()`, its events as an async iterable ending with `run-finished`; `break` cancels the run. */
  stream(task: string, { abortSignal, runId }: Omit<RunOptions, 'onEvent'> = {}): AsyncGenerator<PlanRunEvent, void, undefined> {
    return eventStream((onEvent, signal) => this.run(task, { abortSignal: signal, onEvent, ...(runId ? { runId } : {}) }), abortSignal);
  }

  /** The planner's model, for the default synthesizer. */
  private plannerModel(): DynamicArgument<MastraModelConfig> {
    const planner = this.planner;
    return ({ requestContext }) => planner.getModel({ requestContext }) as Promise<MastraModelConfig>;
  }

  /** The settings of one run: these settings with the environment's secrets added to `redact`. */
  private runSettings(): RunSettings {
    return { ...this.settings, redact: [...this.#envSecrets, ...this.settings.redact] };
  }

  /** The executor's tools as the planner sees them. */
  toolCatalogue(): Promise<ToolInfo[]> {
    return toolCatalogue(this.executor);
  }
}
