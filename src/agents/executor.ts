import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import type { ToolsInput } from '@mastra/core/agent';
import { StepOutcomeSchema } from '../engine/plan-schema.ts';
import type { Executor } from '../engine/ports.ts';
import { DATA_RULE, stepPrompt } from './prompts.ts';
import { callStructured, parseStructured, turnBudgetError } from './structured-call.ts';

/** The executor's default instructions. */
export const EXECUTOR_INSTRUCTIONS = `You are the executor of a Plan & Execute agent. You carry out exactly one step of a plan, using the tools you have, then report the outcome.
Report success: true with the output the step is expected to produce. If the step cannot be done (a tool failed and another try will not help, the input is missing), report success: false with an error precise enough to plan around. Never invent tool results.
A tool error comes back to you as a result; read it and decide.
${DATA_RULE}`;

/** Options of `createExecutorAgent`. */
export interface ExecutorAgentOptions {
  /** Any model Mastra accepts (an AI SDK model, a "provider/model" string, or a function of the request context). */
  readonly model: DynamicArgument<MastraModelConfig>;
  /** The tools the executor may call, keyed by the name plans use in `toolHint` (or a function resolving them on first use). @default {} */
  readonly tools?: DynamicArgument<ToolsInput>;
  /** Replaces the default instructions. @default EXECUTOR_INSTRUCTIONS */
  readonly instructions?: string;
  /** Agent id. @default 'executor' */
  readonly id?: string;
  /** Display name. @default 'Executor' */
  readonly name?: string;
}

/**
 * A Mastra Agent with tools that runs one plan step per call and ends with a `StepOutcome`.
 * @example const executor = createExecutorAgent({ model: openai('gpt-4o-mini'), tools: { add } });
 */
export function createExecutorAgent({ model, tools = {}, instructions = EXECUTOR_INSTRUCTIONS, id = 'executor', name = 'Executor' }: ExecutorAgentOptions): Agent {
  return new Agent({ id, name, description: 'Runs one plan step in a bounded tool loop.', instructions, model, tools });
}

/**
 * The engine's Executor, backed by an executor Agent: one `generate` per step attempt, at most
 * `maxIterations` model turns. A turn budget spent on tool calls is a permanent failure (a retry
 * would spend it the same way); a malformed final answer is a retryable ModelOutputError.
 */
export function executorPort(agent: Agent): Executor {
  return {
    async execute(request) {
      const { abortSignal, maxIterations } = request;
      const reply = await callStructured(agent, stepPrompt(request), StepOutcomeSchema, { abortSignal, maxSteps: maxIterations });
      const spent = turnBudgetError(reply, maxIterations);
      const value = spent ? { success: false, output: '', error: spent } : parseStructured('executor', reply, StepOutcomeSchema);
      return { value, usage: reply.usage, toolCalls: reply.toolCalls };
    },
  };
}
