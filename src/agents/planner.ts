import { createHash } from 'node:crypto';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { IMastraLogger } from '@mastra/core/logger';
import type { DynamicArgument } from '@mastra/core/types';
import { ModelPlanSchema, ModelReplanDecisionSchema } from '../engine/plan-schema.ts';
import type { Planner } from '../engine/ports.ts';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { quietAgent } from './agent-logger.ts';
import { describeModelServer } from './model-server.ts';
import { chosenOutputMode, rememberOutputMode, resolveOutputMode, type PlannerOutputMode } from './output-mode.ts';
import { toEngineDecision, toEnginePlan } from './model-plan.ts';
import { planStreamReader } from './plan-stream.ts';
import { DATA_RULE, planPrompt, replanPrompt } from './prompts.ts';
import { generateStructured } from './structured-call.ts';

/** The planner's default instructions. */
export const PLANNER_INSTRUCTIONS = `You are the planner of a Plan & Execute agent. You turn a task into an explicit plan of small, checkable steps that an executor with tools will run, and after a step fails you decide whether to revise the remaining steps, skip the failed one, or abort.
Plan only with the tools you are given. Prefer few steps. Make independent work independent (empty dependsOn) so it runs in parallel.
${DATA_RULE}`;

/** Options of `createPlannerAgent`. */
export interface PlannerAgentOptions {
  /** Any model Mastra accepts (an AI SDK model, a "provider/model" string, or a function of the request context). */
  readonly model: DynamicArgument<MastraModelConfig>;
  /** Replaces the default instructions. @default PLANNER_INSTRUCTIONS */
  readonly instructions?: string;
  /** Agent id, as registered in Mastra. @default 'planner' */
  readonly id?: string;
  /** Display name. @default 'Planner' */
  readonly name?: string;
  /** Receives Mastra's own log lines at debug level (a failed model call is reported by the run, not dumped on the terminal). @default none */
  readonly logger?: IMastraLogger;
  /** How plans and replan decisions are obtained; `plannerPort` uses it unless given its own. @default 'auto' */
  readonly structuredOutput?: PlannerOutputMode;
}

/**
 * A Mastra Agent that writes plans (structured output: `Plan`) and replan decisions
 * (`ReplanDecision`). Use `plannerPort` to drive it from the engine.
 * @example const planner = createPlannerAgent({ model: openai('gpt-4o-mini') });
 */
export function createPlannerAgent(options: PlannerAgentOptions): Agent {
  const { model, instructions = PLANNER_INSTRUCTIONS, id = 'planner', name = 'Planner', structuredOutput, logger } = options;
  const agent = new Agent({ id, name, description: 'Writes a typed step-by-step plan and revises it after failures.', instructions, model, ...AGENT_DEFAULTS });
  quietAgent(agent, logger);
  return rememberOutputMode(agent, 'planner', structuredOutput);
}

/** Options of `plannerPort`. */
export interface PlannerPortOptions {
  /** How plans and replan decisions are obtained. @default the mode the agent was created with, else 'auto' */
  readonly mode?: PlannerOutputMode;
}

/**
 * The engine's Planner, backed by a planner Agent. Plans and decisions are asked for in the chosen
 * mode (`auto`: `native` on OpenAI's own API, `prompt` elsewhere), read by the tolerant reader and
 * validated against the model-facing schemas; provider errors are classified (role `planner` for
 * plans, `replanner` for decisions).
 * A plan request with `onStepWritten` (`streamPlan`) is streamed, and its steps are handed on as
 * they are written (plan-stream.ts); the plan returned is the same.
 * @throws InvalidOptionsError for an unknown mode (`tool` included: a planner has no tools).
 */
export function plannerPort(agent: Agent, { mode }: PlannerPortOptions = {}): Planner {
  const chosen = chosenOutputMode('planner', agent, mode);
  // Only the signal goes on: a request's `maxPlanSteps` caps the plan's length, not the agent's tool loop.
  return {
    plan: async (request) => {
      const callMode = await resolveOutputMode('planner', agent, chosen);
      const onText = request.onStepWritten && planStreamReader(request.onStepWritten, { maxSteps: request.maxPlanSteps });
      const options = { abortSignal: request.abortSignal, mode: callMode, role: 'planner', kind: 'plan', goal: request.task, onText } as const;
      return toEnginePlan(await generateStructured(agent, planPrompt(request, callMode), ModelPlanSchema, options));
    },
    replan: async (request) => {
      const callMode = await resolveOutputMode('planner', agent, chosen);
      const options = { abortSignal: request.abortSignal, mode: callMode, role: 'replanner', kind: 'replan' } as const;
      return toEngineDecision(await generateStructured(agent, replanPrompt(request, callMode), ModelReplanDecisionSchema, options));
    },
  };
}

/**
 * Who plans, as the plan cache key needs it: the planner model's provider and id and a hash of the
 * agent's instructions (`openai.responses/gpt-4o-mini#1f2e…`), so another model or other
 * instructions never reuse a plan made by this one.
 */
export async function plannerIdentity(agent: Agent): Promise<string> {
  const server = await describeModelServer(agent);
  const instructions = await agent.getInstructions();
  const hash = createHash('sha256').update(JSON.stringify(instructions)).digest('hex').slice(0, 16);
  return `${server.provider}/${server.modelId}#${hash}`;
}
