import { startChatServer, type ChatServerDefinition } from './chat-server.ts';
import type { ChatRequest } from './chat-wire.ts';
import { errorReply } from './core.ts';
import { authenticationReply, strictFormatRejection, strictToolsRejection } from './openai-errors.ts';
import type { RecordedRequest, StandInOptions, StandInServer } from './types.ts';

// OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat/create).
// Structured Outputs come "in two forms: function calling and a json_schema response format"
// (https://platform.openai.com/docs/guides/structured-outputs), and both work in one request: the
// model may call the offered tools, and its final content follows the schema. With `strict: true`
// the output always matches the schema (constrained decoding), so the content is enforced; JSON
// mode (`json_object`) guarantees valid JSON only and requires the word "json" in the messages
// (https://platform.openai.com/docs/guides/structured-outputs#json-mode).

/** Whether the request's format is one OpenAI guarantees (strict json_schema, or JSON mode). */
export function openAIEnforces(request: Pick<ChatRequest, 'responseFormat'>): boolean {
  const format = request.responseFormat;
  return format?.type === 'json_object' || (format?.type === 'json_schema' && format.strict);
}

function rejectChat(request: ChatRequest, recorded: RecordedRequest, validKey: string | undefined) {
  const unauthenticated = authenticationReply(recorded, validKey);
  if (unauthenticated) return unauthenticated;
  const format = request.responseFormat;
  if (format?.type === 'json_object' && !request.messages.some((message) => /json/i.test(message.content))) {
    return errorReply(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", { param: 'messages' });
  }
  if (format?.type === 'json_schema' && format.strict) {
    const rejection = strictFormatRejection(format.name, format.schema, 'response_format');
    if (rejection) return rejection;
  }
  return strictToolsRejection(request.tools, (index) => `tools[${index}].function.parameters`);
}

/** The OpenAI Chat Completions stand-in's wire details and rules. */
export function openAIChatDefinition(validKey?: string): ChatServerDefinition {
  return {
    name: 'openai-chat',
    flavour: {
      completionId: (index) => `chatcmpl-standin${String(index).padStart(6, '0')}`,
      toolCallId: (index, call) => `call_standin${index}x${call}`,
      shape(body, message) {
        Object.assign(message, { refusal: null, annotations: [] });
        Object.assign(body, { service_tier: 'default', system_fingerprint: 'fp_standin' });
        Object.assign(body.usage as object, {
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        });
      },
    },
    rules: { reject: (request, recorded) => rejectChat(request, recorded, validKey), formatEnforced: openAIEnforces },
  };
}

/** Options of {@link startOpenAIChatServer}. */
export interface OpenAIServerOptions extends StandInOptions {
  /** The one key accepted (anything else: 401 `invalid_api_key`). @default any non-empty key */
  readonly apiKey?: string;
}

/**
 * Starts the OpenAI Chat Completions stand-in: honours `response_format` json_schema and tools
 * together, enforces strict schemas (and refuses schemas outside the strict subset with 400),
 * requires an API key, streams when asked.
 */
export function startOpenAIChatServer({ apiKey, ...options }: OpenAIServerOptions): Promise<StandInServer> {
  return startChatServer(openAIChatDefinition(apiKey), options);
}
