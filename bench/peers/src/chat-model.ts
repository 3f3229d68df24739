/**
 * A deterministic LangChain chat model for the side-by-side bench: it answers from the world (see
 * answers.ts), sleeps the model latency, and records each call with its tokens by the bench's rule
 * in the run's ledger. It returns chunks, because @langchain/core's default `withStructuredOutput`
 * parser reads tool calls only from an `AIMessageChunk`.
 */
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage, isAIMessage, isHumanMessage, isToolMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import type { Ledger } from '../../side-by-side/ledger.ts';
import { inputTokensOf, type ToolDefinition, toolCallText, tokensOf } from '../../side-by-side/tokens.ts';
import { sleep, type World } from '../../side-by-side/world.ts';
import { answerFor, type RequestView } from './answers.ts';

type OpenAITool = ReturnType<typeof convertToOpenAITool>;

/** Call options: the tools `bindTools` attached, in OpenAI's format. */
export interface ScriptedCallOptions extends BaseChatModelCallOptions {
  readonly tools?: OpenAITool[];
}

/** A message's text content (structured content as JSON). */
const contentText = (message: BaseMessage) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content));

/** The counted texts of a message: its content and each tool call it makes. */
function messageParts(message: BaseMessage): string[] {
  const calls = isAIMessage(message) ? (message.tool_calls ?? []).map((call) => toolCallText(call.name, call.args)) : [];
  return [contentText(message), ...calls];
}

const toolDefinition = ({ function: definition }: OpenAITool): ToolDefinition => ({
  name: definition.name,
  description: definition.description ?? '',
  parameters: definition.parameters,
});

function requestView(messages: readonly BaseMessage[], tools: readonly OpenAITool[], ledger: Ledger): RequestView {
  const lastHumanAt = messages.findLastIndex((message) => isHumanMessage(message));
  return {
    messages: messages.map(contentText),
    lastHuman: lastHumanAt >= 0 ? contentText(messages[lastHumanAt]!) : '',
    observations: messages
      .slice(lastHumanAt + 1)
      .filter((message) => isToolMessage(message))
      .map(contentText),
    tools: tools.map((tool) => tool.function.name),
    lastExecutorStep: ledger.lastExecutorStep,
  };
}

/** The scripted chat model of one run. */
export class ScriptedChatModel extends BaseChatModel<ScriptedCallOptions> {
  #calls = 0;
  readonly #world: World;
  readonly #ledger: Ledger;
  readonly #latencyMs: number;

  constructor(world: World, ledger: Ledger, latencyMs: number) {
    super({});
    this.#world = world;
    this.#ledger = ledger;
    this.#latencyMs = latencyMs;
  }

  static override lc_name() {
    return 'ScriptedChatModel';
  }

  _llmType() {
    return 'scripted';
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedCallOptions>) {
    return this.withConfig({ ...kwargs, tools: tools.map((tool) => convertToOpenAITool(tool)) } as Partial<ScriptedCallOptions>);
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const started = performance.now();
    this.#ledger.enter('model');
    try {
      const tools = options.tools ?? [];
      const answer = answerFor(this.#world, requestView(messages, tools, this.#ledger));
      const input = inputTokensOf({ parts: messages.flatMap(messageParts), tools: tools.map(toolDefinition) });
      const output = tokensOf(answer.content.length + (answer.call ? toolCallText(answer.call.name, answer.call.args).length : 0));
      this.#ledger.record({ role: answer.role, step: answer.step, inputTokens: input, outputTokens: output });
      await sleep(this.#latencyMs);
      const usage = { input_tokens: input, output_tokens: output, total_tokens: input + output };
      const toolCalls = answer.call ? [{ ...answer.call, id: `call_${++this.#calls}`, type: 'tool_call' as const }] : [];
      const message = new AIMessageChunk({ content: answer.content, tool_calls: toolCalls, usage_metadata: usage });
      return { generations: [{ text: answer.content, message }] };
    } finally {
      this.#ledger.leave('model', performance.now() - started);
    }
  }
}
