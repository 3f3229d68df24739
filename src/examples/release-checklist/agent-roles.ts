import { stepPrompt } from '../../agents/prompts.ts';
import { callStructured, generateStructured, parseStructured, turnBudgetError } from '../../agents/structured-call.ts';
import { ModelOutputError } from '../../engine/errors.ts';
import type { ToolInfo } from '../../engine/ports.ts';
import type { ReleaseAdapters } from './adapters.ts';
import type { ReleaseAgents } from './agents.ts';
import { releasePlanPrompt, releaseReplanPrompt } from './prompts.ts';
import type { ReleaseRoles } from './roles.ts';
import { ReleasePlanSchema, ReleaseReplanDecisionSchema, ReleaseStepResultSchema } from './schemas.ts';
import { releaseRequestContext } from './tools.ts';

/**
 * The release roles backed by Mastra Agents: one structured `generate` per plan, replan decision
 * and step attempt. The executor's tool calls reach this run's `adapters` through the request context.
 */
export function agentRoles(agents: ReleaseAgents, adapters: ReleaseAdapters, tools: readonly ToolInfo[]): ReleaseRoles {
  const replanner = agents.replanner ?? agents.planner;
  const requestContext = releaseRequestContext(adapters);
  return {
    plan: (request) => generateStructured(agents.planner, 'planner', releasePlanPrompt(request, tools), ReleasePlanSchema, request),
    replan: (request) => generateStructured(replanner, 'replanner', releaseReplanPrompt(request), ReleaseReplanDecisionSchema, request),
    async execute({ step, request }) {
      const { abortSignal, maxIterations } = request;
      const reply = await callStructured(agents.executor, stepPrompt(request), ReleaseStepResultSchema, { abortSignal, maxSteps: maxIterations, requestContext });
      const { usage, toolCalls } = reply;
      const spent = turnBudgetError(reply, maxIterations);
      if (spent) return { value: { stepId: step.id, kind: step.kind, success: false, output: '', error: spent }, usage, toolCalls };
      const value = parseStructured('executor', reply, ReleaseStepResultSchema);
      const issues = [
        ...(value.stepId === step.id ? [] : [`stepId: expected "${step.id}", got "${value.stepId}"`]),
        ...(value.kind === step.kind ? [] : [`kind: expected "${step.kind}", got "${value.kind}"`]),
      ];
      if (issues.length) throw new ModelOutputError('executor', reply.text, issues, usage);
      return { value, usage, toolCalls };
    },
  };
}
