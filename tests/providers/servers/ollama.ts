import { startChatServer, toolsUsable, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import { errorReply } from './core.ts';
import type { StandInOptions, StandInServer } from './types.ts';

// Ollama's OpenAI-compatible endpoint (https://docs.ollama.com/api/openai-compatibility):
// `/v1/chat/completions` supports streaming, JSON mode, tools, `response_format` and
// `stream_options.include_usage`; the API key is "required but ignored". `response_format`
// json_schema / json_object become Ollama's `format` (a schema, or "json"), which constrains
// the output with a grammar (https://docs.ollama.com/capabilities/structured-outputs).
//
// With `tools` AND `response_format` in one request, the format wins and no tool call is ever
// emitted: "When both tools and response_format are present in the request, response_format takes
// complete priority over tools. The model is forced to generate a hallucinated JSON response
// conforming to the schema without ever considering tool calls." (ollama/ollama#13750, open;
// also #8095 "Using structured output with tools always produces empty tool_calls array", and a
// maintainer in #11185: "`format: json` will not work with tools as models require other control
// tokens"). A model without tool support answers 400 "<model> does not support tools", type
// `api_error` (ollama/ollama#6027, #5793; with the registry name in newer versions, as captured in
// louisho5/picobot#6: "registry.ollama.ai/library/gemma3:4b does not support tools").

/** The model name as Ollama reports it in errors: registry and `:latest` tag added when absent. */
export function ollamaModelName(model: string): string {
  const tagged = model.includes(':') ? model : `${model}:latest`;
  return model.includes('/') ? tagged : `registry.ollama.ai/library/${tagged}`;
}

/** Options of {@link startOllamaServer}. */
export interface OllamaServerOptions extends StandInOptions {
  /** false: the model's template has no tool support, so a request with `tools` gets a 400. @default true */
  readonly supportsTools?: boolean;
}

const rejectTools = (request: ChatRequest) =>
  request.tools.length ? errorReply(400, `${ollamaModelName(request.model)} does not support tools`, { type: 'api_error' }) : null;

/** The Ollama stand-in's wire details and rules. */
export function ollamaDefinition({ supportsTools = true }: { supportsTools?: boolean } = {}): ChatServerDefinition {
  return {
    name: supportsTools ? 'ollama' : 'ollama-no-tools',
    flavour: {
      // Captured in ollama/ollama#6027: "id":"chatcmpl-527", "system_fingerprint":"fp_ollama".
      completionId: (index) => `chatcmpl-${index}`,
      toolCallId: (index, call) => `call_${(index * 7919 + call).toString(36).padStart(8, '0')}`,
      shape(body, message) {
        body.system_fingerprint = 'fp_ollama';
        for (const [index, call] of ((message.tool_calls ?? []) as Array<Record<string, unknown>>).entries()) call.index = index;
      },
    },
    rules: {
      reject: supportsTools ? undefined : rejectTools,
      // The format wins over the tools (#13750): with a response_format no tool call gets out.
      toolCallsAllowed: (request) => toolsUsable(request) && request.responseFormat === null,
      formatEnforced: (request) => request.responseFormat !== null,
    },
  };
}

/** Starts the Ollama stand-in (`/v1/chat/completions`). */
export function startOllamaServer({ supportsTools, ...options }: OllamaServerOptions): Promise<StandInServer> {
  return startChatServer(ollamaDefinition({ supportsTools }), options);
}

/** Starts an Ollama stand-in whose model has no tool support: any request with `tools` gets a 400. */
export function startNoToolsServer(options: StandInOptions): Promise<StandInServer> {
  return startOllamaServer({ ...options, supportsTools: false });
}
