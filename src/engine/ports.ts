import type { ToolInputSchema } from './check-direct-steps.ts';
import type { Plan, PlanStep, ReplanDecision, StepMeta, StepOutcome, ToolArgs } from './plan-schema.ts';
import type { TokenUsage } from './usage.ts';

/** A tool as the planner sees it: its name in the plan, what it does and what it takes. */
export interface ToolInfo {
  /** The key the executor knows the tool by; what `toolHint` and a direct step's `tool` name. */
  readonly name: string;
  /** What the tool does. */
  readonly description: string;
  /**
   * The tool's input as JSON Schema, when known: the planner writes direct calls from it, plan
   * validation checks their literal arguments against it, and the plan cache keys on it.
   */
  readonly inputSchema?: ToolInputSchema | undefined;
}

/** A role's answer together with what it cost. */
export interface RoleReply<T> {
  /** The parsed answer. */
  readonly value: T;
  /** Tokens spent producing it. */
  readonly usage: TokenUsage;
  /** How the answer was obtained: `native`, `prompt` or `tool` for structured answers, `text` for plain text; absent for plain-code roles (then no `model-called` event). */
  readonly mode?: string | undefined;
  /** Near misses the tolerant reader fixed in the answer (for example `snake-case-key`), one entry each; never silent. */
  readonly repairs?: readonly string[] | undefined;
}

/** What the planner is asked to plan. */
export interface PlanRequest {
  /** The user's task. */
  readonly task: string;
  /** The tools the executor has. */
  readonly tools: readonly ToolInfo[];
  /** Longest plan accepted. */
  readonly maxPlanSteps: number;
  /** Problems with the previous attempt, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled or times out. */
  readonly abortSignal: AbortSignal;
  /**
   * Present when the run starts steps early (`streamPlan`): a planner that streams its answer calls
   * it with each step as soon as the step is written whole (a later step has begun), in plan
   * order, at most once per step; the plan it returns stays the answer. A planner that cannot
   * stream ignores it.
   */
  readonly onStepWritten?: ((step: PlanStep) => void) | undefined;
}

/** A finished step as the replanner sees it. */
export interface CompletedStep {
  /** The step's id. */
  readonly id: string;
  /** What the step did. */
  readonly description: string;
  /** What it produced. */
  readonly output: string;
  /** The step's domain data, when it carries any. */
  readonly meta?: StepMeta | undefined;
}

/** What the replanner is asked after a permanent step failure. */
export interface ReplanRequest {
  /** The user's task. */
  readonly task: string;
  /** The plan's goal. */
  readonly goal: string;
  /** The tools the executor has. */
  readonly tools: readonly ToolInfo[];
  /** Steps done so far, with their outputs; these are never re-run. */
  readonly completed: readonly CompletedStep[];
  /** The step that failed. */
  readonly failedStep: PlanStep;
  /** Why it failed. */
  readonly error: string;
  /** Every other step not yet done, in plan order. */
  readonly remaining: readonly PlanStep[];
  /** Other steps that failed for good in the same round and wait for a decision (a revision replaces them too). */
  readonly otherFailures: readonly { readonly stepId: string; readonly error: string }[];
  /** Longest plan accepted, done steps included. */
  readonly maxPlanSteps: number;
  /** Problems with the previous decision, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

/** A direct step's call as the executor sees it when the engine did not (or could not) make it itself. */
export interface DirectCall {
  /** The tool the plan calls. */
  readonly tool: string;
  /** The arguments with the references filled in; null when they could not be filled (see `error`). */
  readonly args: ToolArgs | null;
  /** Why the engine's own call failed (the tool threw, refused the arguments or reported failure); null when no call was made (no DirectToolRunner). */
  readonly error: string | null;
}

/** What the executor is asked to do for one step. */
export interface StepRequest {
  /** The user's task. */
  readonly task: string;
  /** The step to run. */
  readonly step: PlanStep;
  /** Outputs of the steps this one depends on (never the whole transcript). */
  readonly dependencies: readonly CompletedStep[];
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Why the previous attempt failed; null on the first attempt. */
  readonly previousError: string | null;
  /** Tool-loop budget: model calls allowed inside this step. */
  readonly maxIterations: number;
  /** Fires on cancellation or step timeout; pass it to every model and tool call. */
  readonly abortSignal: AbortSignal;
  /** For a direct step: the planned call, and why the engine's own call of it failed; absent otherwise. */
  readonly directCall?: DirectCall | undefined;
}

/** One call of a tool by the engine itself, for a direct step. */
export interface ToolCallRequest {
  /** The step it runs. */
  readonly stepId: string;
  /** The tool's name in the catalogue. */
  readonly tool: string;
  /** The arguments, references filled in. */
  readonly args: ToolArgs;
  /** Fires on cancellation or step timeout. */
  readonly abortSignal: AbortSignal;
}

/**
 * Calls tools for direct steps: no model involved. Implemented over Mastra tools in the agent
 * layer (`directToolRunner`); a run without one hands direct steps to the executor.
 */
export interface DirectToolRunner {
  /**
   * The tool's result as the step's output text (a string as it is, anything else as JSON, cut
   * like a tool result shown to a model). Throws when the tool throws, rejects the arguments, or
   * reports failure (`{ ok: false, error }`).
   */
  callTool(request: ToolCallRequest): Promise<string>;
}

/** The executor's reply: the step's outcome plus how many tool calls it made. */
export interface StepReply extends RoleReply<StepOutcome> {
  /** Tool calls made during the step. */
  readonly toolCalls: number;
}

/** What the synthesizer merges. */
export interface SynthesisRequest {
  /** The user's task. */
  readonly task: string;
  /** The plan's goal. */
  readonly goal: string;
  /** Done steps with their outputs, in plan order. */
  readonly steps: readonly CompletedStep[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

/** Writes plans and decides what to do after a failure. */
export interface Planner {
  /** Makes a plan; throws ModelOutputError when the answer does not parse. */
  plan(request: PlanRequest): Promise<RoleReply<Plan>>;
  /** Decides revise / skip / abort after a permanent failure. */
  replan(request: ReplanRequest): Promise<RoleReply<ReplanDecision>>;
}

/** Runs one step in a bounded tool loop. */
export interface Executor {
  /** Throws for retryable problems; returns `success: false` for permanent ones. */
  execute(request: StepRequest): Promise<StepReply>;
}

/** Merges the step outputs into the final answer. */
export interface Synthesizer {
  /** Returns the final text. */
  synthesize(request: SynthesisRequest): Promise<RoleReply<string>>;
}
