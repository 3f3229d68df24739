import { startChatServer, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import { errorReply } from './core.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// Ollama's OpenAI-compatible endpoint (https://docs.ollama.com/api/openai-compatibility):
// `/v1/chat/completions` supports streaming, JSON mode, tools, `response_format`,
// `stream_options.include_usage` and `reasoning_effort`; `tool_choice` is listed as unsupported
// and its request struct has no such field (openai/openai.go ChatCompletionRequest, ollama/ollama
// commit fb3076099), so it is ignored. The API key is "required but ignored". `response_format`
// json_schema / json_object become Ollama's `format` (a schema, or "json"), which constrains the
// output with a grammar (https://docs.ollama.com/capabilities/structured-outputs).
//
// With `tools` AND a format in one request, what happens depends on whether the model thinks.
// "Thinking is enabled by default in the CLI and API for supported models" (docs/capabilities/
// thinking.mdx; server/routes.go sets `think` for every thinking-capable model since v0.12.4,
// commit 90d429f5a, #12533). For such a model the server generates WITHOUT the format until the
// content starts, then restarts with it (server/routes.go, "structured outputs via double
// request", commit 77060d462, #12460): tool calls made before any content get out, and the
// content follows the format. `reasoning_effort: "none"` turns thinking off, and the format then
// applies from the first token. A model that does not think gets the format from the first token,
// so no tool call is ever emitted: "response_format takes complete priority over tools. The model
// is forced to generate a hallucinated JSON response conforming to the schema without ever
// considering tool calls." (ollama/ollama#13750, open; also #8095, and a maintainer in #11185:
// "`format: json` will not work with tools as models require other control tokens").
//
// A model without tool support answers 400 "<model> does not support tools" (server/routes.go
// scheduleRunner, with the full registry name, e.g. "registry.ollama.ai/library/gemma3:4b does not
// support tools" as captured in louisho5/picobot#6). The OpenAI middleware maps the status to the
// error type: `invalid_request_error` for a 400 since v0.18.0 (middleware/openai.go writeError
// passes the real status to openai.NewError, commit abf8e8e9c, #14828); `api_error` before.

/** The model families Ollama's thinking docs list (docs/capabilities/thinking.mdx, "Supported models"). */
const THINKING_FAMILIES = ['qwen3', 'deepseek-r1', 'deepseek-v3.1', 'gpt-oss'];

/** Whether `model` is a thinking model by its name: one of the documented families (`qwen3:4b`, `gpt-oss:20b`; not `qwen3-coder`). */
export function ollamaThinks(model: string): boolean {
  return THINKING_FAMILIES.includes(model.split('/').at(-1)!.split(':')[0]!);
}

/** The model name as Ollama reports it in errors: registry and `:latest` tag added when absent. */
export function ollamaModelName(model: string): string {
  const tagged = model.includes(':') ? model : `${model}:latest`;
  return model.includes('/') ? tagged : `registry.ollama.ai/library/${tagged}`;
}

/** Options of {@link startOllamaServer}. */
export interface OllamaServerOptions extends StandInOptions {
  /** false: the model's template has no tool support, so a request with `tools` gets a 400. @default true */
  readonly supportsTools?: boolean;
  /** Whether the model thinks. @default {@link ollamaThinks} of the request's model */
  readonly thinking?: boolean;
}

const rejectTools = (request: ChatRequest) => (request.tools.length ? errorReply(400, `${ollamaModelName(request.model)} does not support tools`) : null);

/** The Ollama stand-in's wire details and rules. */
export function ollamaDefinition({ supportsTools = true, thinking }: Pick<OllamaServerOptions, 'supportsTools' | 'thinking'> = {}): ChatServerDefinition {
  // Thinking is on unless the request turns it off (openai.go thinkFromReasoningEffort: "none" → think false).
  const thinks = (request: ChatRequest) => (thinking ?? ollamaThinks(request.model)) && request.reasoningEffort !== 'none';
  return {
    name: supportsTools ? 'ollama' : 'ollama-no-tools',
    flavour: {
      // Captured in ollama/ollama#6027: "id":"chatcmpl-527", "system_fingerprint":"fp_ollama".
      completionId: (index) => `chatcmpl-${index}`,
      toolCallId: (index, call) => `call_${(index * 7919 + call).toString(36).padStart(8, '0')}`,
      // openai.go: Message.Reasoning `json:"reasoning,omitempty"` carries the model's thinking.
      reasoningField: 'reasoning',
      shape(body, message) {
        body.system_fingerprint = 'fp_ollama';
        // openai.go Message: `content` is always sent ("" beside tool calls); ToolCall has `index`.
        message.content ??= '';
        for (const [index, call] of ((message.tool_calls ?? []) as Array<Record<string, unknown>>).entries()) call.index = index;
      },
      // openai.go toChunk: a tool call arrives whole, arguments and all, in one delta (content "").
      toolCallDeltas: (call, index) => [
        { content: '', tool_calls: [{ id: call.id, index, type: 'function', function: { name: call.name, arguments: call.arguments } }] },
      ],
    },
    rules: {
      reject: supportsTools ? undefined : rejectTools,
      // tool_choice is ignored; the format shuts tool calls out only for a model that does not think.
      toolCallsAllowed: (request) => request.tools.length > 0 && (thinks(request) || request.responseFormat === null),
      formatEnforced: (request) => request.responseFormat !== null,
      // A model that does not think writes no reasoning.
      placeOutput: (output, request) => (thinks(request) ? output : { ...output, reasoning: null }),
    },
  };
}

/** Starts the Ollama stand-in (`/v1/chat/completions`). */
export function startOllamaServer({ supportsTools, thinking, ...options }: OllamaServerOptions): Promise<StandInServer> {
  return startChatServer(ollamaDefinition({ supportsTools, thinking }), options);
}

/** Starts an Ollama stand-in whose model has no tool support: any request with `tools` gets a 400. */
export function startNoToolsServer(options: StandInOptions): Promise<StandInServer> {
  return startOllamaServer({ ...options, supportsTools: false });
}
