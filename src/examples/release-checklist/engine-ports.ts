import {
  ModelOutputError,
  type CompletedStep,
  type Executor,
  type Planner,
  type RoleReply,
  type StepReply,
  type StepRequest,
  type Synthesizer,
} from '../../index.ts';
import { ZERO_USAGE } from '../../engine/usage.ts';
import { fromEngineStep, releaseMetaOf, releasePlanIssues, toEnginePlan } from './release-plan.ts';
import { decisionIssues, toEngineDecision, type ReleaseCompletedStep, type ReleaseReplanRequest } from './replan-policy.ts';
import type { ReleasePlan, ReleaseReplanDecision, ReleaseStepMeta, ReleaseTarget } from './schemas.ts';

/** What the release planner is asked. */
export interface ReleasePlanRequest {
  /** The release to plan. */
  readonly target: ReleaseTarget;
  /** Problems with the previous answer, to repair; empty on the first attempt. */
  readonly feedback: readonly string[];
  /** Fires when the run is cancelled. */
  readonly abortSignal: AbortSignal;
}

/** What the release executor is asked: one step, known by its meta. */
export interface ReleaseStepRequest {
  /** The release being run. */
  readonly target: ReleaseTarget;
  /** The step's kind, service (and fix pattern), checked. */
  readonly meta: ReleaseStepMeta;
  /** The engine's request for it (the step, prompt material, attempt, iteration budget, abort signal). */
  readonly request: StepRequest;
}

/** The three release roles in release terms; `toEnginePorts` adapts them to the engine. */
export interface ReleaseRoles {
  /** Writes the release plan. */
  plan(request: ReleasePlanRequest): Promise<RoleReply<ReleasePlan>>;
  /** Decides insert_fix / proceed / abort after a failed step. */
  replan(request: ReleaseReplanRequest): Promise<RoleReply<ReleaseReplanDecision>>;
  /** Runs one step through the integrations: its outcome, with the tool (or adapter) calls it made. */
  execute(request: ReleaseStepRequest): Promise<StepReply>;
}

/**
 * Adapts release roles to the engine's planner, executor and synthesizer: plans and decisions
 * become engine steps with release `meta`; answers that break release rules go back to the role as
 * a ModelOutputError (the engine re-asks with the issues); the summary is written without a model.
 * Stateless: every request carries the steps' meta, so a run's workflow steps may each build their own.
 */
export function toEnginePorts(roles: ReleaseRoles, target: ReleaseTarget) {
  const toCompleted = ({ id, description, output, meta }: CompletedStep): ReleaseCompletedStep => {
    const { kind, targetService } = releaseMetaOf({ id, meta });
    return { id, kind, targetService, description, output };
  };
  const planner: Planner = {
    async plan({ feedback, abortSignal }) {
      const reply = await roles.plan({ target, feedback, abortSignal });
      const issues = releasePlanIssues(reply.value, target);
      if (issues.length) throw new ModelOutputError('planner', JSON.stringify(reply.value), issues, reply.usage);
      return { ...reply, value: toEnginePlan(reply.value) };
    },
    async replan({ completed, failedStep, error, remaining, feedback, abortSignal }) {
      const request = {
        target,
        completed: completed.map(toCompleted),
        failedStep: fromEngineStep(failedStep),
        error,
        remaining: remaining.map(fromEngineStep),
        feedback,
        abortSignal,
      };
      const reply = await roles.replan(request);
      const issues = decisionIssues(reply.value, request);
      if (issues.length) throw new ModelOutputError('replanner', JSON.stringify(reply.value), issues, reply.usage);
      return { ...reply, value: toEngineDecision(reply.value, failedStep, remaining, error) };
    },
  };
  const executor: Executor = {
    execute: (request) => roles.execute({ target, meta: releaseMetaOf(request.step), request }),
  };
  const synthesizer: Synthesizer = {
    synthesize: async ({ steps }) => ({ value: releaseSummary(target, steps), usage: ZERO_USAGE }),
  };
  return { planner, executor, synthesizer };
}

/** The release summary: the final output of a completed run. */
function releaseSummary({ version, env, services }: ReleaseTarget, steps: readonly CompletedStep[]): string {
  return [`Released ${version} to ${env} (${services.join(', ')}).`, ...steps.map((step) => `- ${step.id}: ${step.output}`)].join('\n');
}
