import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { DynamicArgument } from '@mastra/core/types';
import { RunCancelledError } from '../engine/errors.ts';
import type { Synthesizer } from '../engine/ports.ts';
import { DATA_RULE, synthesisPrompt } from './prompts.ts';
import { toTokenUsage } from './structured-call.ts';

/** The synthesizer's default instructions. */
export const SYNTHESIZER_INSTRUCTIONS = `You are the synthesizer of a Plan & Execute agent. You merge the results of the plan's steps into one final answer to the task: complete, concise, in plain text or Markdown. Use only what the step results contain; say plainly what is missing.
${DATA_RULE}`;

/** Options of `createSynthesizerAgent`. */
export interface SynthesizerAgentOptions {
  /** Any model Mastra accepts (an AI SDK model, a "provider/model" string, or a function of the request context). */
  readonly model: DynamicArgument<MastraModelConfig>;
  /** Replaces the default instructions. @default SYNTHESIZER_INSTRUCTIONS */
  readonly instructions?: string;
  /** Agent id. @default 'synthesizer' */
  readonly id?: string;
  /** Display name. @default 'Synthesizer' */
  readonly name?: string;
}

/** A Mastra Agent that merges step outputs into the final answer (plain text). */
export function createSynthesizerAgent({ model, instructions = SYNTHESIZER_INSTRUCTIONS, id = 'synthesizer', name = 'Synthesizer' }: SynthesizerAgentOptions): Agent {
  return new Agent({ id, name, description: 'Merges the step results into the final answer.', instructions, model });
}

/** The engine's Synthesizer, backed by a synthesizer Agent. */
export function synthesizerPort(agent: Agent): Synthesizer {
  return {
    async synthesize(request) {
      const result = await agent.generate(synthesisPrompt(request), { abortSignal: request.abortSignal });
      if (result.finishReason === 'aborted' || request.abortSignal.aborted) throw new RunCancelledError();
      return { value: result.text, usage: toTokenUsage(result.totalUsage) };
    },
  };
}
