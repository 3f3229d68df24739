import type { MastraModelConfig } from '@mastra/core/llm';
import { MockLanguageModelV4 } from 'ai/test';
import { toGenerateResult, toStreamResult, type ModelCallOptions, type ModelPrompt } from './model-protocol.ts';
import type { ScriptedReply, ScriptedResponse } from './responses.ts';

/** One model call as a script function sees it. */
export interface ScriptedCall {
  /** The messages the model receives. */
  readonly prompt: ModelPrompt;
  /** 0 for the model's first call (generate or stream), 1 for the second, … */
  readonly callIndex: number;
  /** Every call option: tools, responseFormat, abortSignal, … */
  readonly options: ModelCallOptions;
}

/** A script entry: a fixed response, or a function that picks one from the call it answers. */
export type ScriptEntry = ScriptedResponse | ((call: ScriptedCall) => ScriptedResponse | Promise<ScriptedResponse>);

/** Options of {@link createScriptedModel}. */
export interface ScriptedModelOptions {
  /** Names the model in errors and becomes its `modelId`. @default 'scripted' */
  readonly name?: string;
}

/** What a scripted model records, next to the model itself. */
export interface ScriptedModelInspection {
  /** The model's name (its `modelId`). */
  readonly name: string;
  /** The prompt of every call so far, in order (generate and stream alike, failed calls included). */
  readonly calls: readonly ModelPrompt[];
  /** The full options of every call so far, in the same order as `calls`. */
  readonly callOptions: readonly ModelCallOptions[];
  /** How many script entries are not consumed yet. */
  readonly remaining: number;
}

/** A scripted model: pass it as an Agent's `model`, then inspect what it was asked. */
export type ScriptedModel = Extract<MastraModelConfig, { readonly specificationVersion: 'v4' }> & ScriptedModelInspection;

const EXCERPT_LENGTH = 80;

/** Thrown by a scripted model's call when its script has no response left. */
export class ScriptExhaustedError extends Error {
  /** The model's name. */
  readonly modelName: string;
  /** Calls answered before this one. */
  readonly callCount: number;

  constructor(modelName: string, callCount: number, prompt: ModelPrompt) {
    super(
      `Scripted model '${modelName}' ran out of responses after ${callCount} ${callCount === 1 ? 'call' : 'calls'}; ` +
        `last prompt: ${JSON.stringify(lastUserText(prompt))}`,
    );
    this.name = 'ScriptExhaustedError';
    this.modelName = modelName;
    this.callCount = callCount;
  }
}

/** The text of the last user message, whitespace collapsed and cut to EXCERPT_LENGTH characters. */
function lastUserText(prompt: ModelPrompt): string {
  const message = prompt.findLast((candidate) => candidate.role === 'user');
  if (!message) return '(no user message)';
  const whole = message.content
    .map((part) => (part.type === 'text' ? part.text : `[${part.type}]`))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return whole.length > EXCERPT_LENGTH ? `${whole.slice(0, EXCERPT_LENGTH - 1)}…` : whole;
}

/**
 * A deterministic language model for tests and offline demos: each call (`doGenerate` or `doStream`)
 * consumes the next script entry in order. When the script is empty, the call throws a
 * {@link ScriptExhaustedError} naming the model, so an unexpected extra call fails loudly.
 *
 * @example
 * const model = createScriptedModel([toolCall('add', { a: 2, b: 3 }), text('The sum is 5.')], { name: 'executor' });
 * const agent = new Agent({ id: 'executor', name: 'Executor', instructions: 'Use tools.', model, tools: { add } });
 * await agent.generate('What is 2 + 3?');
 * model.calls.length; // 2
 * model.remaining;    // 0
 */
export function createScriptedModel(script: readonly ScriptEntry[], { name = 'scripted' }: ScriptedModelOptions = {}): ScriptedModel {
  const queue = [...script];
  const callOptions: ModelCallOptions[] = [];

  async function nextReply(options: ModelCallOptions): Promise<{ reply: ScriptedReply; callIndex: number }> {
    const callIndex = callOptions.length;
    callOptions.push(options);
    const entry = queue.shift();
    if (entry === undefined) throw new ScriptExhaustedError(name, callIndex, options.prompt);
    const response = typeof entry === 'function' ? await entry({ prompt: options.prompt, callIndex, options }) : entry;
    if (response.type === 'error') throw response.error;
    return { reply: response, callIndex };
  }

  const model = new MockLanguageModelV4({
    provider: 'scripted',
    modelId: name,
    doGenerate: async (options) => {
      const { reply, callIndex } = await nextReply(options);
      return toGenerateResult(reply, callIndex);
    },
    doStream: async (options) => {
      const { reply, callIndex } = await nextReply(options);
      return toStreamResult(reply, callIndex);
    },
  });
  const inspection: ScriptedModelInspection = {
    name,
    get calls() {
      return callOptions.map((options) => options.prompt);
    },
    callOptions,
    get remaining() {
      return queue.length;
    },
  };
  Object.defineProperties(model, Object.getOwnPropertyDescriptors(inspection));
  // The one cast: see asMastraModel for why the V4 mock does not type-check as Mastra's model.
  return model as unknown as ScriptedModel;
}
