import { argumentPieces } from './chat-stream.ts';
import { startChatServer, type ChatServerDefinition, type PlacedOutput } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// llama.cpp's `llama-server` (OpenAI-compatible `/v1/chat/completions`, tools with `--jinja`).
//
// `response_format` is a grammar: the README lists "Schema-constrained JSON response format", and
// tools/server/server-common.cpp reads `response_format.json_schema.schema` (the OpenAI nesting;
// PR #28697 adds the flat form) into the `json_schema` that becomes the sampling grammar;
// `json_object` without a schema gets "an absent or empty schema means any object". So the
// content is JSON that fits the schema. (Reports of unenforced schemas: #24097 and #24096 were
// closed unconfirmed as stale; #19051, a grammar that fails to parse and generation then running
// unconstrained, is an edge of invalid patterns the library's schemas do not use.)
//
// Reasoning: `--reasoning-format` defaults to `auto`, which extracts a thinking model's thoughts
// into `message.reasoning_content` (streamed as `delta.reasoning_content`); only `none` "leaves
// thoughts unparsed in `message.content`" (tools/server/README.md; common/chat.cpp
// common_chat_msg_diff_to_json_oaicompat).
//
// Tools AND a JSON schema in one request take another path: "Use generic handler when mixing tools
// + JSON schema" (common/chat.cpp, `common_chat_params_init_generic`). Its grammar makes the model
// answer `{"tool_call": …}` or `{"response": <the schema>}` (the schema is enforced there), so tool
// calls get out, and `common_chat_parse_generic` sends the response as content:
// `response.is_string() ? … : response.dump(2)`: JSON with two-space indentation. (Newer builds
// parse it with `consume_json_with_dumped_args`; the exact layout of the dumped JSON may differ there.)
//
// Streamed tool calls (common_chat_msg_diff_to_json_oaicompat): `index` on every delta; the first
// one of a call adds `id`, `type` and the name, each carries `function.arguments` (a fragment).

/** `--reasoning-format`: `auto` (the default) puts thoughts in `reasoning_content`; `none` leaves them in the content. */
export type ReasoningFormat = 'auto' | 'none';

/** The `<think>` block a thinking model's `reasoning` makes in the content under `--reasoning-format none`. */
export const thinkBlock = (reasoning: string) => `<think>\n${reasoning}\n</think>\n\n`;

const genericHandler = (request: ChatRequest) => request.tools.length > 0 && request.responseFormat?.type === 'json_schema';

function placeOutput(reasoningFormat: ReasoningFormat) {
  return (output: PlacedOutput, request: ChatRequest): PlacedOutput => {
    const dumped =
      genericHandler(request) && output.content !== null && !output.callsTools ? JSON.stringify(JSON.parse(output.content), null, 2) : output.content;
    if (reasoningFormat === 'auto' || output.reasoning === null) return { ...output, content: dumped };
    return { ...output, content: thinkBlock(output.reasoning) + (dumped ?? ''), reasoning: null };
  };
}

/** The llama.cpp stand-in's wire details and rules. */
export function llamaCppDefinition(reasoningFormat: ReasoningFormat = 'auto'): ChatServerDefinition {
  return {
    name: reasoningFormat === 'auto' ? 'llama-cpp' : 'llama-cpp-reasoning-none',
    flavour: {
      completionId: (index) => `chatcmpl-${index.toString(36).padStart(32, 'x')}`,
      toolCallId: (index, call) => `${index}${call}`.padStart(32, '0'),
      reasoningField: 'reasoning_content',
      shape(body) {
        const usage = body.usage as { prompt_tokens: number; completion_tokens: number };
        Object.assign(body, {
          system_fingerprint: 'b9272-1d7ab2b94',
          timings: { prompt_n: usage.prompt_tokens, prompt_ms: 1, predicted_n: usage.completion_tokens, predicted_ms: 1 },
        });
      },
      toolCallDeltas: (call, index) =>
        argumentPieces(call.arguments).map((piece, position) => ({
          tool_calls: [
            position === 0
              ? { index, id: call.id, type: 'function', function: { name: call.name, arguments: piece } }
              : { index, function: { arguments: piece } },
          ],
        })),
    },
    rules: {
      formatEnforced: (request) => request.responseFormat !== null,
      placeOutput: placeOutput(reasoningFormat),
    },
  };
}

/** Options of {@link startLlamaCppServer}. */
export interface LlamaCppServerOptions extends StandInOptions {
  /** The server's `--reasoning-format`. @default 'auto' */
  readonly reasoningFormat?: ReasoningFormat;
}

/** Starts the llama.cpp stand-in (`/v1/chat/completions`, `--jinja`, the given `--reasoning-format`). */
export function startLlamaCppServer({ reasoningFormat, ...options }: LlamaCppServerOptions): Promise<StandInServer> {
  return startChatServer(llamaCppDefinition(reasoningFormat), options);
}
