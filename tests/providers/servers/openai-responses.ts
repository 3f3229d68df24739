import { askBrain, completionTokens, promptTokens } from './brain-call.ts';
import { errorReply, startStandIn, type HttpReply, type Route } from './core.ts';
import { openAIEnforces, type OpenAIServerOptions } from './openai-chat.ts';
import { authenticationReply, strictFormatRejection, strictToolsRejection } from './openai-errors.ts';
import { responseBody, responseEvents } from './responses-body.ts';
import { outputItems, parseResponsesRequest, readItems, type OutputItem, type ResponsesRequest } from './responses-wire.ts';
import type { BrainMessage, BrainRequest, StandInServer } from './types.ts';

// OpenAI's Responses API (`POST /v1/responses`), what @ai-sdk/openai's `openai(model)` calls.
// Same model rules as Chat Completions: function tools and a strict `text.format` json_schema
// work together (https://platform.openai.com/docs/guides/structured-outputs); strict schemas
// outside the supported subset are refused with 400 `invalid_json_schema` (param
// `text.format.schema`); JSON mode needs the word "json" in the input messages — instructions do
// not count ("Response input messages must contain the word 'json' in some form to use
// 'text.format' of type 'json_object'.", as captured in several public reports). With `store`
// (default true) output items are kept, so later requests may send them as `item_reference`s.

function rejectResponses(request: ResponsesRequest): HttpReply | null {
  const format = request.responseFormat;
  if (format?.type === 'json_object' && !/json/i.test(request.inputText)) {
    return errorReply(400, "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.", { param: 'input' });
  }
  if (format?.type === 'json_schema' && format.strict) {
    const rejection = strictFormatRejection(format.name, format.schema, 'text.format.schema');
    if (rejection) return rejection;
  }
  return strictToolsRejection(request.tools, (index) => `tools[${index}].parameters`);
}

/** The `/v1/responses` route, with its own item store (for `item_reference` and `previous_response_id`). */
export function responsesRoute({ apiKey, brain }: Pick<OpenAIServerOptions, 'apiKey' | 'brain'>): Route {
  const items = new Map<string, OutputItem>();
  const conversations = new Map<string, readonly BrainMessage[]>();

  const route: Route = ({ request, body, recordExchange }) => {
    const unauthenticated = authenticationReply(request, apiKey);
    if (unauthenticated) return unauthenticated;
    const parsed = parseResponsesRequest(body, items);
    const rejection = rejectResponses(parsed);
    if (rejection) return rejection;
    const history = parsed.previousResponseId === null ? [] : conversations.get(parsed.previousResponseId);
    if (!history) return errorReply(400, `Previous response with id '${parsed.previousResponseId}' not found.`, { param: 'previous_response_id' });
    const brainRequest: BrainRequest = {
      server: 'openai-responses',
      model: parsed.model,
      messages: [...history, ...parsed.messages],
      tools: parsed.tools,
      responseFormat: parsed.responseFormat,
      toolCallsAllowed: parsed.tools.length > 0 && parsed.toolChoice !== 'none',
      formatEnforced: openAIEnforces(parsed),
    };
    const output = askBrain(brain, brainRequest);
    const produced = outputItems(request.index, output.content, output.toolCalls);
    const usage = { inputTokens: promptTokens(brainRequest), outputTokens: completionTokens(output.content, output.toolCalls) };
    const response = responseBody(request.index, parsed, produced, usage, body as Record<string, unknown>);
    if (parsed.store) {
      for (const item of produced) items.set(item.id, item);
      conversations.set(response.id, [...brainRequest.messages, ...readItems(produced)]);
    }
    // Reasoning models keep their reasoning server-side here; none of it is sent as text.
    recordExchange({ request: brainRequest, reply: output.reply, toolCallsSent: output.toolCalls, contentSent: output.content, reasoningSent: null });
    return parsed.stream ? { status: 200, events: responseEvents(response) } : { status: 200, json: response };
  };
  return route;
}

/**
 * Starts the OpenAI Responses stand-in: `POST /v1/responses`, non-streaming JSON or (with
 * `stream: true`) the documented SSE events; tools and strict json_schema honoured together.
 */
export function startOpenAIResponsesServer({ apiKey, brain, ...limits }: OpenAIServerOptions): Promise<StandInServer> {
  return startStandIn({ name: 'openai-responses', routes: { '/v1/responses': responsesRoute({ apiKey, brain }) }, ...limits });
}
