import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import { PlanSchema, ReplanDecisionSchema } from '../engine/plan-schema.ts';
import type { Planner } from '../engine/ports.ts';
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
}

/**
 * A Mastra Agent that writes plans (structured output: `Plan`) and replan decisions
 * (`ReplanDecision`). Use `plannerPort` to drive it from the engine.
 * @example const planner = createPlannerAgent({ model: openai('gpt-4o-mini') });
 */
export function createPlannerAgent({ model, instructions = PLANNER_INSTRUCTIONS, id = 'planner', name = 'Planner' }: PlannerAgentOptions): Agent {
  return new Agent({ id, name, description: 'Writes a typed step-by-step plan and revises it after failures.', instructions, model });
}

/** The engine's Planner, backed by a planner Agent. */
export function plannerPort(agent: Agent): Planner {
  // Only the signal goes on: a request's `maxSteps` caps the plan's length, not the agent's tool loop.
  return {
    plan: (request) => generateStructured(agent, 'planner', planPrompt(request), PlanSchema, { abortSignal: request.abortSignal }),
    replan: (request) =>
      generateStructured(agent, 'replanner', replanPrompt(request), ReplanDecisionSchema, { abortSignal: request.abortSignal }),
  };
}
