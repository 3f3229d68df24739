import type { Agent } from '@mastra/core/agent';
import type { RequestContext } from '@mastra/core/request-context';
import type { z } from 'zod';
import { stepPrompt } from '../../agents/prompts.ts';
import { generateStructured, parseStructured, toTokenUsage, type RawStructuredReply } from '../../agents/structured-call.ts';
import { ModelOutputError, RunCancelledError } from '../../engine/errors.ts';
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
      const reply = await generateInContext(agents.executor, stepPrompt(request), ReleaseStepResultSchema, { abortSignal, maxSteps: maxIterations, requestContext });
      const { usage, toolCalls } = reply;
      if (reply.finishReason === 'tool-calls') {
        const error = `The step used all ${maxIterations} model turns on tool calls without a final answer`;
        return { value: { stepId: step.id, kind: step.kind, success: false, output: '', error }, usage, toolCalls };
      }
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

interface GenerateLike {
  text?: string;
  object?: unknown;
  finishReason?: string;
  totalUsage?: Parameters<typeof toTokenUsage>[0];
  steps?: ReadonlyArray<{ toolCalls?: readonly unknown[] }>;
}

// agents/structured-call.ts's callStructured, plus the request context the release tools read;
// callStructured passes no request context through (reported upstream).
async function generateInContext(
  agent: Agent,
  prompt: string,
  schema: z.ZodType,
  { abortSignal, maxSteps, requestContext }: { abortSignal: AbortSignal; maxSteps: number; requestContext: RequestContext },
): Promise<RawStructuredReply> {
  const result = (await agent.generate(prompt, {
    abortSignal,
    maxSteps,
    requestContext,
    structuredOutput: { schema, errorStrategy: 'fallback', fallbackValue: null },
  })) as GenerateLike;
  const finishReason = result.finishReason ?? 'unknown';
  if (finishReason === 'aborted' || abortSignal.aborted) throw new RunCancelledError();
  return {
    text: result.text ?? '',
    object: result.object ?? null,
    usage: toTokenUsage(result.totalUsage),
    toolCalls: (result.steps ?? []).reduce((count, step) => count + (step.toolCalls?.length ?? 0), 0),
    finishReason,
  };
}
