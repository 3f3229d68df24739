import type { RoleReply, StepRequest } from '../../engine/ports.ts';
import type { ReleasePlan, ReleasePlanStep, ReleaseReplanDecision, ReleaseStepKind, ReleaseStepResult, ReleaseTarget } from './schemas.ts';

/** What the release planner is asked. */
export interface ReleasePlanRequest {
  /** The release to plan. */
  readonly target: ReleaseTarget;
  /** Problems with the previous answer, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

/** A finished step as the replanner sees it. */
export interface ReleaseCompletedStep {
  readonly id: string;
  readonly kind: ReleaseStepKind;
  readonly targetService: string | null;
  readonly description: string;
  /** What it produced. */
  readonly output: string;
}

/** What the release replanner is asked after a step failed. */
export interface ReleaseReplanRequest {
  /** The release being run. */
  readonly target: ReleaseTarget;
  /** Steps done so far; never re-run. */
  readonly completed: readonly ReleaseCompletedStep[];
  /** The step that failed. */
  readonly failedStep: ReleasePlanStep;
  /** Why it failed, as the executor reported it. */
  readonly error: string;
  /** Every other step not yet done, in plan order (other services' chains included). */
  readonly remaining: readonly ReleasePlanStep[];
  /** Problems with the previous answer, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

/** What the release executor is asked: one step. */
export interface ReleaseStepRequest {
  /** The release being run. */
  readonly target: ReleaseTarget;
  /** The step to run. */
  readonly step: ReleasePlanStep;
  /** The engine's request for it (prompt material, attempt, iteration budget, abort signal). */
  readonly request: StepRequest;
}

/** The executor's answer with the tool calls it took. */
export interface ReleaseStepReply extends RoleReply<ReleaseStepResult> {
  /** Tool (or adapter) calls made. */
  readonly toolCalls: number;
}

/** The three release roles in release terms; `toEnginePorts` adapts them to the engine. */
export interface ReleaseRoles {
  /** Writes the release plan. */
  plan(request: ReleasePlanRequest): Promise<RoleReply<ReleasePlan>>;
  /** Decides insert_fix / proceed / abort after a failed step. */
  replan(request: ReleaseReplanRequest): Promise<RoleReply<ReleaseReplanDecision>>;
  /** Runs one step through the integrations. */
  execute(request: ReleaseStepRequest): Promise<ReleaseStepReply>;
}
