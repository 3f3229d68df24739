import { askBrain, completionTokens, promptTokens } from './brain-call.ts';
import { chatCompletionChunks } from './chat-stream.ts';
import { chatCompletionBody, parseChatRequest, type ChatAnswer, type ChatFlavour, type ChatRequest } from './chat-wire.ts';
import { startStandIn, type HttpReply, type Route } from './core.ts';
import type { BrainRequest, RecordedRequest, ResponseFormat, StandInOptions, StandInServer } from './types.ts';

/** The documented rules of one OpenAI-compatible chat server, applied around the brain. */
export interface ChatRules {
  /** A documented rejection of the request (a 400, …), or null to answer it. */
  reject?(request: ChatRequest, recorded: RecordedRequest): HttpReply | null;
  /** Whether the answer's tool calls can reach the client. @default {@link toolsUsable} */
  toolCallsAllowed?(request: ChatRequest): boolean;
  /** The format the server applies (vLLM drops it when tool calls are forced). @default the request's */
  effectiveFormat?(request: ChatRequest): ResponseFormat | null;
  /** Whether the server constrains the content to the format (grammar / strict decoding). */
  formatEnforced(request: ChatRequest): boolean;
  /**
   * Where the model's output goes before it is sent: llama.cpp puts the reasoning in the content
   * under `--reasoning-format none`, and dumps its generic handler's JSON indented. @default as is
   */
  placeOutput?(output: PlacedOutput, request: ChatRequest): PlacedOutput;
}

/** The content and the reasoning (for the flavour's reasoning field) of one answer. */
export interface PlacedOutput {
  readonly content: string | null;
  readonly reasoning: string | null;
  /** Whether the answer calls tools (read only). */
  readonly callsTools: boolean;
}

/** One chat stand-in: its name, its wire details and its rules. */
export interface ChatServerDefinition {
  readonly name: string;
  readonly flavour: ChatFlavour;
  readonly rules: ChatRules;
}

/** The documented default: tools present and `tool_choice` not `none`. */
export function toolsUsable(request: ChatRequest): boolean {
  return request.tools.length > 0 && request.toolChoice !== 'none';
}

/** The brain's view of a chat request after `rules`. */
export function brainRequestOf(name: string, request: ChatRequest, rules: ChatRules): BrainRequest {
  return {
    server: name,
    model: request.model,
    messages: request.messages,
    tools: request.tools,
    responseFormat: rules.effectiveFormat ? rules.effectiveFormat(request) : request.responseFormat,
    toolCallsAllowed: (rules.toolCallsAllowed ?? toolsUsable)(request),
    formatEnforced: rules.formatEnforced(request),
  };
}

/** The `/v1/chat/completions` route of `definition`: rules, brain, then a JSON body or SSE chunks. */
export function chatRoute({ name, flavour, rules }: ChatServerDefinition, brain: StandInOptions['brain']): Route {
  return ({ request, body, recordExchange }) => {
    const chat = parseChatRequest(body);
    const rejection = rules.reject?.(chat, request);
    if (rejection) return rejection;
    const brainRequest = brainRequestOf(name, chat, rules);
    const output = askBrain(brain, brainRequest);
    const produced = { content: output.content, reasoning: output.reasoning, callsTools: output.toolCalls.length > 0 };
    const { content, reasoning } = rules.placeOutput?.(produced, chat) ?? produced;
    const sentReasoning = flavour.reasoningField ? reasoning : null;
    const answer: ChatAnswer = {
      content,
      reasoning: sentReasoning,
      toolCalls: output.toolCalls.map((call, index) => ({
        id: flavour.toolCallId(request.index, index),
        name: call.name,
        arguments: JSON.stringify(call.arguments),
      })),
      promptTokens: promptTokens(brainRequest),
      completionTokens: completionTokens(content, output.toolCalls) + (reasoning === null ? 0 : completionTokens(reasoning, [])),
    };
    recordExchange({ request: brainRequest, reply: output.reply, toolCallsSent: output.toolCalls, contentSent: content, reasoningSent: sentReasoning });
    if (chat.stream) return { status: 200, events: chatCompletionChunks(flavour, request.index, chat.model, answer, chat.includeUsage) };
    return { status: 200, json: chatCompletionBody(flavour, request.index, chat.model, answer) };
  };
}

/** Starts a chat stand-in serving `POST /v1/chat/completions` on 127.0.0.1. */
export function startChatServer(definition: ChatServerDefinition, { brain, ...limits }: StandInOptions): Promise<StandInServer> {
  return startStandIn({ name: definition.name, routes: { '/v1/chat/completions': chatRoute(definition, brain) }, ...limits });
}
