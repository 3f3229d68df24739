import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import { DATA_RULE, quoteData, stepPrompt } from '../../agents/prompts.ts';
import { callStructured, generateStructured, readStructured, turnBudgetError } from '../../agents/structured-call.ts';
import { ZERO_USAGE } from '../../engine/usage.ts';
import { StepOutcomeSchema, type ToolInfo } from '../../index.ts';
import type { ReleaseAdapters } from './adapters.ts';
import { toolCallOf } from './deterministic-roles.ts';
import type { ReleasePlanRequest, ReleaseRoles } from './engine-ports.ts';
import { KNOWN_SMOKE_FIXES, type ReleaseCompletedStep, type ReleaseReplanRequest } from './replan-policy.ts';
import { ReleasePlanSchema, ReleaseReplanDecisionSchema, type ReleasePlanStep } from './schemas.ts';
import { createReleaseTools, releaseRequestContext } from './tools.ts';

const PLANNER_INSTRUCTIONS = `You are the planner of a release orchestrator. You turn a release request (version, environment, services) into a typed release plan that an executor with CI, smoke-test, deploy and health-check tools will run.
A release plan is one shared "build" step, then for every service its own chain: smoke → deploy → verify. Chains of different services never depend on each other, so they run in parallel. You never plan "fix" steps: the replanner inserts them after a smoke failure.
${DATA_RULE}`;

const REPLANNER_INSTRUCTIONS = `You are the replanner of a release orchestrator. A release step failed; you decide what happens next, following this policy strictly:
- A smoke step failed with a known failure pattern (${KNOWN_SMOKE_FIXES.join(', ')}) → "insert_fix": the fix step runs, then the same smoke step again, then the remaining steps. If a fix step for that service is already done, the fix did not help → "abort".
- A verify step failed → "abort": the version is live and unhealthy; rolling back is the caller's decision, not yours.
- Anything else (a build that does not exist, an unknown smoke failure, a failed deploy) → "abort".
"proceed" (go on without the failed step) is never right for a release step of this plan.
${DATA_RULE}`;

const EXECUTOR_INSTRUCTIONS = `You are the executor of a release orchestrator. You run exactly one release step: the prompt names its kind, its service and the tool input; call that tool once with exactly that input, then report the step's outcome.
Report success exactly as the tool reported it, quote the tool's facts (sha, deployment id, checks) in output, and on failure give the tool's failure line, with its pattern, as error. Never invent tool results; never call a tool for another step.
${DATA_RULE}`;

/** The model-backed release roles; without `replanner`, the planner Agent also answers replan requests. */
export interface ReleaseAgents {
  /** Writes the release plan (structured output: ReleasePlanSchema, kind and service typed per step). */
  readonly planner: Agent;
  /** Runs one step with the release tools and reports a StepOutcome. */
  readonly executor: Agent;
  /** Decides insert_fix / proceed / abort (structured output: ReleaseReplanDecisionSchema). @default planner */
  readonly replanner?: Agent;
}

/**
 * The three release Agents with the release role prompts; the executor gets the release tools,
 * which find each run's adapters in the request context, so the Agents can be reused across runs.
 * Models: any model Mastra accepts; the replanner's defaults to the planner's.
 * @example const agents = createReleaseAgents({ planner: openai('gpt-4o-mini'), executor: openai('gpt-4o-mini') });
 * await runRelease('1.4.3', 'staging', { agents });
 */
export function createReleaseAgents(models: {
  planner: DynamicArgument<MastraModelConfig>;
  executor: DynamicArgument<MastraModelConfig>;
  replanner?: DynamicArgument<MastraModelConfig>;
}): Required<ReleaseAgents> {
  const { planner, executor, replanner = planner } = models;
  return {
    planner: new Agent({
      id: 'release-planner',
      name: 'Release planner',
      description: 'Writes release plans.',
      instructions: PLANNER_INSTRUCTIONS,
      model: planner,
    }),
    executor: new Agent({
      id: 'release-executor',
      name: 'Release executor',
      description: 'Runs one release step with the CI, smoke, deploy and health tools.',
      instructions: EXECUTOR_INSTRUCTIONS,
      model: executor,
      tools: createReleaseTools(),
    }),
    replanner: new Agent({
      id: 'release-replanner',
      name: 'Release replanner',
      description: 'Decides what happens after a failed release step.',
      instructions: REPLANNER_INSTRUCTIONS,
      model: replanner,
    }),
  };
}

/**
 * The release roles backed by Mastra Agents: one structured `generate` per plan, replan decision
 * and step attempt. The executor's prompt shows the step's meta as the tool call to make; its tool
 * calls reach this run's `adapters` through the request context.
 */
export function agentRoles(agents: ReleaseAgents, adapters: ReleaseAdapters, tools: readonly ToolInfo[]): ReleaseRoles {
  const replanner = agents.replanner ?? agents.planner;
  const requestContext = releaseRequestContext(adapters);
  const native = { mode: 'native' } as const;
  return {
    plan: (request) =>
      generateStructured(agents.planner, planPrompt(request, tools), ReleasePlanSchema, {
        ...native,
        role: 'planner',
        kind: 'plan',
        abortSignal: request.abortSignal,
      }),
    replan: (request) =>
      generateStructured(replanner, replanPrompt(request), ReleaseReplanDecisionSchema, {
        ...native,
        role: 'replanner',
        kind: 'replan',
        abortSignal: request.abortSignal,
      }),
    async execute({ target, meta, request }) {
      const { abortSignal, maxIterations } = request;
      const call = toolCallOf(request.step.id, meta, target);
      if (typeof call === 'string') return { value: { success: false, output: '', error: call }, usage: ZERO_USAGE, toolCalls: 0 };
      const service = meta.targetService === null ? 'no service (the shared build)' : `service ${meta.targetService}`;
      const prompt = `${stepPrompt(request, 'native')}\n\nRelease step: ${meta.kind}, ${service}. Call ${call.tool} once with this input: ${JSON.stringify(call.input)}`;
      const options = { ...native, role: 'executor', kind: 'step-outcome', abortSignal, maxTurns: maxIterations, requestContext } as const;
      const reply = await callStructured(agents.executor, prompt, StepOutcomeSchema, options);
      const spent = turnBudgetError(reply, maxIterations);
      const { value, repairs } = spent
        ? { value: { success: false, output: '', error: spent }, repairs: [] }
        : readStructured('executor', 'step-outcome', reply, StepOutcomeSchema);
      return { value, usage: reply.usage, toolCalls: reply.toolCalls, mode: reply.mode, repairs };
    },
  };
}

const stepLine = (step: ReleasePlanStep) =>
  `- ${step.id} (${step.kind}${step.targetService ? ` ${step.targetService}` : ''}; tool ${step.toolHint}; dependsOn [${step.dependsOn.join(', ')}]): ${step.description}`;

const completedLine = (step: ReleaseCompletedStep) =>
  `- ${step.id} (${step.kind}${step.targetService ? ` ${step.targetService}` : ''}): ${step.description}\n${quoteData(`output of ${step.id}`, step.output)}`;

const feedbackBlock = (feedback: readonly string[]) =>
  feedback.length ? `\n\nYour previous answer was rejected. Fix every problem:\n${feedback.map((issue) => `- ${issue}`).join('\n')}` : '';

function planPrompt({ target, feedback }: ReleasePlanRequest, tools: readonly ToolInfo[]): string {
  const { version, env, services } = target;
  return `Plan this release.

Version: ${version}
Environment: ${env}
Services: ${services.join(', ')}

Tools the executor has:
${tools.map((tool) => `- ${tool.name}: ${tool.description}`).join('\n')}

Rules:
- version "${version}" and env "${env}", exactly.
- First one step with id "build", kind "build", targetService null, toolHint "fetchBuild", dependsOn [].
- Then for each service S: "smoke-S" (kind smoke, toolHint runSmoke, dependsOn ["build"]), "deploy-S" (kind deploy, toolHint deploy, dependsOn ["smoke-S"]), "verify-S" (kind verify, toolHint checkHealth, dependsOn ["deploy-S"]).
- No fix steps. Each description is one imperative sentence naming the version and the service.${feedbackBlock(feedback)}`;
}

function replanPrompt({ target, completed, failedStep, error, remaining, feedback }: ReleaseReplanRequest): string {
  return `A step of the release of ${target.version} to ${target.env} (services: ${target.services.join(', ')}) failed. Decide what to do.

Done steps (kept, never re-run):
${completed.length ? completed.map(completedLine).join('\n') : '(none)'}

Failed step:
${stepLine(failedStep)}
${quoteData('error', error)}

Steps not yet done:
${remaining.length ? remaining.map(stepLine).join('\n') : '(none)'}

Answer with one action:
- "insert_fix": fixStep is the fix: id "fix-<service>", kind "fix", toolHint "applyFix", the failed step's targetService and dependsOn, and a description naming the failure pattern and the version. The failed step then runs again after it, followed by the steps not yet done.
- "proceed": go on without the failed step; fixStep is null.
- "abort": stop the release; fixStep is null.${feedbackBlock(feedback)}`;
}
