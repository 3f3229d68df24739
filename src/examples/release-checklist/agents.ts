import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import { RELEASE_EXECUTOR_INSTRUCTIONS, RELEASE_PLANNER_INSTRUCTIONS, RELEASE_REPLANNER_INSTRUCTIONS } from './prompts.ts';
import { createReleaseTools } from './tools.ts';

/** The model-backed release roles; without `replanner`, the planner Agent also answers replan requests. */
export interface ReleaseAgents {
  /** Writes the release plan (structured output: ReleasePlan). */
  readonly planner: Agent;
  /** Runs one step with the release tools (structured output: ReleaseStepResult). */
  readonly executor: Agent;
  /** Decides insert_fix / proceed / abort (structured output: ReleaseReplanDecision). @default planner */
  readonly replanner?: Agent;
}

/** The models behind {@link createReleaseAgents}; any model Mastra accepts. */
export interface ReleaseAgentModels {
  readonly planner: DynamicArgument<MastraModelConfig>;
  readonly executor: DynamicArgument<MastraModelConfig>;
  /** @default the planner's model */
  readonly replanner?: DynamicArgument<MastraModelConfig>;
}

/**
 * The three release Agents with the release role prompts; the executor gets the release tools,
 * which find each run's adapters in the request context, so the Agents can be reused across runs.
 * @example const agents = createReleaseAgents({ planner: openai('gpt-4o-mini'), executor: openai('gpt-4o-mini') });
 * await runRelease('1.4.3', 'staging', { agents });
 */
export function createReleaseAgents({ planner, executor, replanner = planner }: ReleaseAgentModels): Required<ReleaseAgents> {
  return {
    planner: new Agent({ id: 'release-planner', name: 'Release planner', description: 'Writes release plans.', instructions: RELEASE_PLANNER_INSTRUCTIONS, model: planner }),
    executor: new Agent({
      id: 'release-executor',
      name: 'Release executor',
      description: 'Runs one release step with the CI, smoke, deploy and health tools.',
      instructions: RELEASE_EXECUTOR_INSTRUCTIONS,
      model: executor,
      tools: createReleaseTools(),
    }),
    replanner: new Agent({
      id: 'release-replanner',
      name: 'Release replanner',
      description: 'Decides what happens after a failed release step.',
      instructions: RELEASE_REPLANNER_INSTRUCTIONS,
      model: replanner,
    }),
  };
}
