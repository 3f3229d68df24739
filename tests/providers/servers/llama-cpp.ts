import { startChatServer, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// llama.cpp's `llama-server` (OpenAI-compatible `/v1/chat/completions`, tools with `--jinja`).
//
// response_format json_schema is accepted but not enforced: "the server returns HTTP 200 without
// enforcing the schema and without rejecting the unsupported feature ... the output is produced by
// ordinary text generation" (ggml-org/llama.cpp#24097, reproduced with Qwen3-4B and Llama-3-8B);
// when the schema's grammar fails to parse, generation also "continues unconstrained, returning
// 200 OK" (#19051, open); `json_object` likewise returns "free-form text or reasoning-style output
// instead of a valid JSON object" (#24096). With `--reasoning-format none` the server "leaves
// thoughts unparsed in `message.content`" (tools/server/README.md), so a thinking model's
// `<think>…</think>` block arrives in the content, before the answer.
//
// Tools AND a JSON schema in one request take another path: "Use generic handler when mixing tools
// + JSON schema" (common/chat.cpp, `common_chat_params_init_generic`). Its grammar makes the model
// answer `{"tool_call": …}` or `{"response": <the schema>}` (the schema is enforced there), so tool
// calls get out, and `common_chat_parse_generic` sends the response as content:
// `response.is_string() ? … : response.dump(2)` — JSON with two-space indentation, no think block,
// no prose. (Newer builds parse it with `consume_json_with_dumped_args`; the exact layout of the
// dumped JSON may differ there.)

/** The think block a reasoning model writes before its answer. */
export const THINK_BLOCK = '<think>\nThe request asks for a structured answer. I will work out each field, then write it.\n</think>\n\n';

/** What llama-server sends for `content`: the think block, and prose around a JSON answer. */
export function llamaCppContent(content: string): string {
  if (!looksLikeJson(content)) return THINK_BLOCK + content;
  return `${THINK_BLOCK}Here is the result:\n\n${content}\n\nLet me know if you need anything else.`;
}

const genericHandler = (request: ChatRequest) => request.tools.length > 0 && request.responseFormat?.type === 'json_schema';

function looksLikeJson(text: string): boolean {
  try {
    return typeof JSON.parse(text) === 'object';
  } catch {
    return false;
  }
}

/** The llama.cpp stand-in's wire details and rules. */
export function llamaCppDefinition(): ChatServerDefinition {
  return {
    name: 'llama-cpp',
    flavour: {
      completionId: (index) => `chatcmpl-${index.toString(36).padStart(32, 'x')}`,
      toolCallId: (index, call) => `${index}${call}`.padStart(32, '0'),
      shape(body) {
        const usage = body.usage as { prompt_tokens: number; completion_tokens: number };
        Object.assign(body, {
          system_fingerprint: 'b9272-1d7ab2b94',
          timings: { prompt_n: usage.prompt_tokens, prompt_ms: 1, predicted_n: usage.completion_tokens, predicted_ms: 1 },
        });
      },
    },
    rules: {
      formatEnforced: genericHandler,
      rewriteContent: (content, request) => (genericHandler(request) ? JSON.stringify(JSON.parse(content), null, 2) : llamaCppContent(content)),
    },
  };
}

/** Starts the llama.cpp stand-in (`/v1/chat/completions`, `--jinja --reasoning-format none`). */
export function startLlamaCppServer(options: StandInOptions): Promise<StandInServer> {
  return startChatServer(llamaCppDefinition(), options);
}
