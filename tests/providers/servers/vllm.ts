import { argumentPieces } from './chat-stream.ts';
import { startChatServer, toolsUsable, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import { errorReply } from './core.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// vLLM's OpenAI-compatible server. `response_format` json_schema is a structured-outputs
// constraint on decoding (https://docs.vllm.ai/en/latest/features/structured_outputs/). Tool
// calling with `tool_choice: "auto"` needs `--enable-auto-tool-choice` ("mandatory",
// https://docs.vllm.ai/en/latest/features/tool_calling/); `"none"` gives "regular text content
// only, even if tools are defined".
//
// With tools AND response_format under `tool_choice: "auto"` (the default), the format wins:
// "vLLM applies constrained decoding from response_format, which forces the model to produce JSON
// content. The model never generates tool calls — it returns tool_calls: [] and answers directly
// as JSON." For `tool_choice: "required"` the format is cleared instead (the fix of #32006).
// Source: vllm-project/vllm#39929 (open; the fix attempts #47439 and #48157 were closed unmerged).
// The project issue quotes this as "when both are set, we honor response_format and disallow tool
// calls"; that sentence itself was not found in the stored vLLM docs (see servers-report.md).
//
// The body, as current vLLM sends it (vllm/entrypoints/openai/chat_completion/protocol.py at
// commit 002032ee2b18e1f7bd924ec47b62504ba3866063, and a captured vLLM 0.26.0 answer with the same
// fields): the message has `refusal`, `annotations`, `audio`, `function_call` (all null) and
// `reasoning`; `tool_calls` is dropped when empty (ChatMessage._serialize: "if
// len(data.get("tool_calls", [])) == 0: data.pop("tool_calls")"). The reasoning field was renamed
// from `reasoning_content` to `reasoning` (PR #27752) and the old name removed (PR #33402, January
// 2026). Errors: {"error":{"message":…,"type":"BadRequestError","param":null,"code":400}}: `code`
// is the HTTP status as a number (captured in many public reports of vLLM 400s).
//
// Streamed tool calls (vllm/tool_parsers/hermes_tool_parser.py, extract_tool_calls_streaming;
// chunks serialised with exclude_unset): first {index, type, id, function: {name}} without
// arguments, then {index, function: {arguments: <fragment>}}.

const forcesToolCall = (request: ChatRequest) => request.toolChoice === 'required' || typeof request.toolChoice === 'object';

/** Options of {@link startVllmServer}. */
export interface VllmServerOptions extends StandInOptions {
  /** false: started without `--enable-auto-tool-choice`, so `tool_choice: "auto"` with tools gets a 400. @default true */
  readonly autoToolChoice?: boolean;
}

function rejectAutoToolChoice(request: ChatRequest) {
  const auto = request.toolChoice === undefined || request.toolChoice === 'auto';
  // Message as the server words it (captured in soapbucket/sbproxy#591).
  return request.tools.length && auto
    ? errorReply(400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', { type: 'BadRequestError', code: 400 })
    : null;
}

/** The vLLM stand-in's wire details and rules. */
export function vllmDefinition({ autoToolChoice = true }: { autoToolChoice?: boolean } = {}): ChatServerDefinition {
  return {
    name: 'vllm',
    flavour: {
      completionId: (index) => `chatcmpl-${index.toString(16).padStart(32, '0')}`,
      toolCallId: (index, call) => `chatcmpl-tool-${(index * 100 + call).toString(16).padStart(32, '0')}`,
      reasoningField: 'reasoning',
      shape(body, message) {
        Object.assign(message, { refusal: null, annotations: null, audio: null, function_call: null, reasoning: message.reasoning ?? null });
        Object.assign((body.choices as Array<Record<string, unknown>>)[0]!, { stop_reason: null, token_ids: null, routed_experts: null });
        (body.usage as Record<string, unknown>).prompt_tokens_details = null;
        Object.assign(body, {
          service_tier: null,
          system_fingerprint: 'vllm-0.26.0-standin',
          prompt_logprobs: null,
          prompt_token_ids: null,
          prompt_text: null,
          kv_transfer_params: null,
          ec_transfer_params: null,
          metrics: null,
        });
      },
      toolCallDeltas: (call, index) => [
        { tool_calls: [{ index, type: 'function', id: call.id, function: { name: call.name } }] },
        ...argumentPieces(call.arguments).map((piece) => ({ tool_calls: [{ index, function: { arguments: piece } }] })),
      ],
    },
    rules: {
      reject: autoToolChoice ? undefined : rejectAutoToolChoice,
      toolCallsAllowed: (request) => toolsUsable(request) && (request.responseFormat === null || forcesToolCall(request)),
      effectiveFormat: (request) => (forcesToolCall(request) ? null : request.responseFormat),
      formatEnforced: (request) => request.responseFormat !== null && !forcesToolCall(request),
    },
  };
}

/** Starts the vLLM stand-in (`/v1/chat/completions`). */
export function startVllmServer({ autoToolChoice, ...options }: VllmServerOptions): Promise<StandInServer> {
  return startChatServer(vllmDefinition({ autoToolChoice }), options);
}
