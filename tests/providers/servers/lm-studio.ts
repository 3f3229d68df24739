import { argumentPieces } from './chat-stream.ts';
import { startChatServer, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import { standInFailure } from './core.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// LM Studio's OpenAI-compatible server (default port 1234). "The API supports structured JSON
// outputs through the /v1/chat/completions endpoint when given a JSON schema. Doing this will
// cause the LLM to respond in valid JSON conforming to the schema provided."
// (https://lmstudio.ai/docs/advanced/structured-output). Tools: https://lmstudio.ai/docs/advanced/tool-use.
//
// `response_format: {type: "json_object"}` is refused: HTTP 400 with a bare string `error`,
// {"error":"'response_format.type' must be 'json_schema' or 'text'"}: not in the docs; captured
// against LM Studio 0.4.20 (webai-at-home/webai-at-home#221) and in HKUDS/DeepTutor#345; an older
// build said "'response_format.type' must be 'json_schema'" (lmstudio-ai/lmstudio-bug-tracker#307).
// Every answer carries `tool_calls`, `[]` when empty (lmstudio-bug-tracker#1318).
//
// Streaming: no usage chunk. The docs do not list `stream_options`; "the Open AI API Impl (0.3.8)
// does not return the usage information ... when streaming is enabled" (lmstudio-bug-tracker#713,
// an open feature request; a captured stream ends with the finish chunk and [DONE],
// lmstudio-js#320). A streamed tool call comes in fragments: in a captured 0.3.16 stream every
// delta after the first repeats `type` and sends `function.name: ""` beside its argument fragment
// (lmstudio-bug-tracker#649; rig PR #423 "LM Studio respond function name Some(\"\") for arguments
// chunks"). The first delta's exact fields are not in the capture; OpenAI's form is assumed.
//
// Tools together with a json_schema: UNDOCUMENTED, and no capture was found. The library's `auto`
// mode never sends both to LM Studio (the executor uses `tool` mode), so this stand-in does not
// guess: such a request gets a stand-in error (500) and no test relies on any behaviour there.

/** The documented rejection body of a `json_object` response format. */
export const LM_STUDIO_JSON_OBJECT_ERROR = { error: "'response_format.type' must be 'json_schema' or 'text'" };

function rejectLmStudio(request: ChatRequest) {
  const type = request.responseFormatType;
  if (type !== null && type !== 'text' && type !== 'json_schema') return { status: 400, json: LM_STUDIO_JSON_OBJECT_ERROR };
  if (type === 'json_schema' && request.tools.length > 0)
    return standInFailure('lm-studio', "LM Studio's behaviour with tools and a json_schema together is undocumented; this stand-in does not guess it");
  return null;
}

/** The LM Studio stand-in's wire details and rules. */
export function lmStudioDefinition(): ChatServerDefinition {
  return {
    name: 'lm-studio',
    flavour: {
      completionId: (index) => `chatcmpl-${index.toString(36).padStart(20, '0')}`,
      toolCallId: (index, call) => String(100_000_000 + index * 100 + call),
      shape(body, message) {
        message.tool_calls ??= [];
        Object.assign(body, { stats: {}, system_fingerprint: body.model });
      },
      streamsUsage: false,
      toolCallDeltas: (call, index) => [
        { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] },
        ...argumentPieces(call.arguments).map((piece) => ({ tool_calls: [{ index, type: 'function', function: { name: '', arguments: piece } }] })),
      ],
    },
    rules: {
      reject: rejectLmStudio,
      formatEnforced: (request) => request.responseFormat !== null,
    },
  };
}

/** Starts the LM Studio stand-in (`/v1/chat/completions`). */
export function startLmStudioServer(options: StandInOptions): Promise<StandInServer> {
  return startChatServer(lmStudioDefinition(), options);
}
