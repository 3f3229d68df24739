import { startChatServer, toolsUsable, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// LM Studio's OpenAI-compatible server (default port 1234). "The API supports structured JSON
// outputs through the /v1/chat/completions endpoint when given a JSON schema. Doing this will
// cause the LLM to respond in valid JSON conforming to the schema provided."
// (https://lmstudio.ai/docs/advanced/structured-output). Tools: https://lmstudio.ai/docs/advanced/tool-use.
//
// `response_format: {type: "json_object"}` is refused: HTTP 400 with a bare string `error`,
// {"error":"'response_format.type' must be 'json_schema' or 'text'"} — not in the docs; captured
// against LM Studio 0.4.20 (webai-at-home/webai-at-home#221) and in HKUDS/DeepTutor#345; an older
// build said "'response_format.type' must be 'json_schema'" (lmstudio-ai/lmstudio-bug-tracker#307).
// Every answer carries `tool_calls`, `[]` when empty (lmstudio-bug-tracker#1318).
//
// Tools together with a json_schema: undocumented. By default this stand-in lets the schema win
// (as Ollama's grammar does, #13750); `toolsWithFormat: 'both'` lets tool calls out instead.

/** The documented rejection body of a `json_object` response format. */
export const LM_STUDIO_JSON_OBJECT_ERROR = { error: "'response_format.type' must be 'json_schema' or 'text'" };

/** Options of {@link startLmStudioServer}. */
export interface LmStudioServerOptions extends StandInOptions {
  /** With tools and a json_schema: `format-wins` emits no tool call; `both` allows them. @default 'format-wins' */
  readonly toolsWithFormat?: 'format-wins' | 'both';
}

/** The LM Studio stand-in's wire details and rules. */
export function lmStudioDefinition({ toolsWithFormat = 'format-wins' }: Pick<LmStudioServerOptions, 'toolsWithFormat'> = {}): ChatServerDefinition {
  return {
    name: 'lm-studio',
    flavour: {
      completionId: (index) => `chatcmpl-${index.toString(36).padStart(20, '0')}`,
      toolCallId: (index, call) => String(100_000_000 + index * 100 + call),
      shape(body, message) {
        message.tool_calls ??= [];
        Object.assign(body, { stats: {}, system_fingerprint: body.model });
      },
    },
    rules: {
      reject: (request: ChatRequest) =>
        request.responseFormatType === null || request.responseFormatType === 'text' || request.responseFormatType === 'json_schema'
          ? null
          : { status: 400, json: LM_STUDIO_JSON_OBJECT_ERROR },
      toolCallsAllowed: (request) => toolsUsable(request) && (toolsWithFormat === 'both' || request.responseFormat === null),
      formatEnforced: (request) => request.responseFormat !== null,
    },
  };
}

/** Starts the LM Studio stand-in (`/v1/chat/completions`). */
export function startLmStudioServer({ toolsWithFormat, ...options }: LmStudioServerOptions): Promise<StandInServer> {
  return startChatServer(lmStudioDefinition({ toolsWithFormat }), options);
}
