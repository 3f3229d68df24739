import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { IMastraLogger } from '@mastra/core/logger';
import type { DynamicArgument } from '@mastra/core/types';
import { RunCancelledError } from '../engine/errors.ts';
import type { Synthesizer } from '../engine/ports.ts';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { quietAgent } from './agent-logger.ts';
import { DATA_RULE, synthesisPrompt } from './prompts.ts';
import { classifiedCallError, toTokenUsage } from './structured-call.ts';
import { withoutLeadingReasoning } from './tolerant-reader.ts';

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
  /** Receives Mastra's own log lines at debug level (a failed model call is reported by the run, not dumped on the terminal). @default none */
  readonly logger?: IMastraLogger;
}

/** A Mastra Agent that merges step outputs into the final answer (plain text). */
export function createSynthesizerAgent(options: SynthesizerAgentOptions): Agent {
  const { model, instructions = SYNTHESIZER_INSTRUCTIONS, id = 'synthesizer', name = 'Synthesizer', logger } = options;
  return quietAgent(new Agent({ id, name, description: 'Merges the step results into the final answer.', instructions, model, ...AGENT_DEFAULTS }), logger);
}

/**
 * The engine's Synthesizer, backed by a synthesizer Agent: plain text, with a leading reasoning
 * block (`<think>…</think>`, which llama.cpp and others leave in the content) taken off and
 * recorded as the repair `think-block`; provider errors classified.
 */
export function synthesizerPort(agent: Agent): Synthesizer {
  return {
    async synthesize(request) {
      const { abortSignal } = request;
      const result = await agent.generate(synthesisPrompt(request), { abortSignal }).catch(async (error: unknown) => {
        throw await classifiedCallError(agent, error, 'synthesizer', abortSignal);
      });
      if (result.finishReason === 'aborted' || abortSignal.aborted) throw new RunCancelledError();
      const stripped = withoutLeadingReasoning(result.text);
      const answer = stripped === result.text ? result.text : stripped.trimStart();
      return { value: answer, usage: toTokenUsage(result.totalUsage), mode: 'text', repairs: answer === result.text ? [] : ['think-block'] };
    },
  };
}
