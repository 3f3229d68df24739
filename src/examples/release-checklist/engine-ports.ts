import { ModelOutputError } from '../../engine/errors.ts';
import type { CompletedStep, Executor, Planner, Synthesizer } from '../../engine/ports.ts';
import { ZERO_USAGE } from '../../engine/usage.ts';
import type { DecisionLog } from './decision-log.ts';
import { fromPlanStep, parseStepDescription, toEngineDecision, toEnginePlan } from './plan-mapping.ts';
import { releasePlanIssues, releaseStepIssues } from './release-plan.ts';
import type { ReleaseCompletedStep, ReleaseRoles } from './roles.ts';
import type { ReleasePlanStep, ReleaseReplanDecision, ReleaseTarget } from './schemas.ts';

/** The engine's three ports. */
export interface EnginePorts {
  readonly planner: Planner;
  readonly executor: Executor;
  readonly synthesizer: Synthesizer;
}

/**
 * Adapts release roles to the engine: steps and decisions are mapped (plan-mapping.ts), answers
 * that break release rules go back to the role as a ModelOutputError (the engine re-asks with the
 * issues), accepted replan decisions land in `decisions`, and the summary is written without a model.
 */
export function toEnginePorts(roles: ReleaseRoles, target: ReleaseTarget, decisions: DecisionLog): EnginePorts {
  const planner: Planner = {
    async plan({ feedback, abortSignal }) {
      const { value: plan, usage } = await roles.plan({ target, feedback, abortSignal });
      const issues = releasePlanIssues(plan, target);
      if (issues.length) throw new ModelOutputError('planner', JSON.stringify(plan), issues, usage);
      return { value: toEnginePlan(plan), usage };
    },
    async replan(request) {
      const failedStep = fromPlanStep(request.failedStep);
      const { value: decision, usage } = await roles.replan({
        target,
        completed: request.completed.map(toCompleted),
        failedStep,
        error: request.error,
        remaining: request.remaining.map(fromPlanStep),
        feedback: request.feedback,
        abortSignal: request.abortSignal,
      });
      const issues = decisionIssues(decision, failedStep, target);
      if (issues.length) throw new ModelOutputError('replanner', JSON.stringify(decision), issues, usage);
      decisions.propose(decision);
      return { value: toEngineDecision(decision, request.failedStep, request.remaining), usage };
    },
  };
  const executor: Executor = {
    async execute(request) {
      const { value, usage, toolCalls } = await roles.execute({ target, step: fromPlanStep(request.step), request });
      return { value: { success: value.success, output: value.output, error: value.error }, usage, toolCalls };
    },
  };
  const synthesizer: Synthesizer = {
    synthesize: async ({ steps }) => ({ value: releaseSummary(target, steps), usage: ZERO_USAGE }),
  };
  return { planner, executor, synthesizer };
}

function toCompleted({ id, description, output }: CompletedStep): ReleaseCompletedStep {
  const label = parseStepDescription(description);
  if (!label) throw new Error(`Step "${id}" is not a release step: ${JSON.stringify(description)}`);
  return { id, kind: label.kind, targetService: label.targetService, description: label.text, output };
}

function decisionIssues(decision: ReleaseReplanDecision, failedStep: ReleasePlanStep, target: ReleaseTarget): string[] {
  if (decision.action !== 'insert_fix') return [];
  const { fixStep } = decision;
  if (!fixStep) return ['fixStep: required when action is "insert_fix".'];
  if (failedStep.kind !== 'smoke') return [`insert_fix only follows a failed smoke step; "${failedStep.id}" is a ${failedStep.kind} step.`];
  return [
    ...(fixStep.kind === 'fix' ? [] : [`fixStep.kind: expected "fix", got "${fixStep.kind}".`]),
    ...(fixStep.targetService === failedStep.targetService ? [] : [`fixStep.targetService: expected "${failedStep.targetService}", the failed step's service.`]),
    ...releaseStepIssues(fixStep, target, 'replan'),
  ];
}

/** The release summary: the final output of a completed run. */
export function releaseSummary({ version, env, services }: ReleaseTarget, steps: readonly CompletedStep[]): string {
  return [`Released ${version} to ${env} (${services.join(', ')}).`, ...steps.map((step) => `- ${step.id}: ${step.output}`)].join('\n');
}
