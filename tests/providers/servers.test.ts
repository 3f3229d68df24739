import { describe, expect, it } from 'vitest';
import {
  closedLoopbackAddress,
  createTaskBrain,
  estimateTokens,
  startOllamaServer,
  startOpenAIChatServer,
  startOpenAIResponsesServer,
  startRateLimitedServer,
  startUnauthorizedServer,
} from './servers/index.ts';
import {
  afterWrite,
  chat,
  chatBody,
  closeAfterEach,
  type Json,
  message,
  OUTCOME_SCHEMA,
  post,
  SCHEMA_FORMAT,
  stepText,
  stream,
  TOOLS,
  WRITE_CALL,
  WRITE_STEP,
  WRITTEN,
  WROTE_OUTCOME,
} from './servers/test-fixtures.ts';

// Each stand-in's documented behaviour, checked with plain fetch (sources next to each rule in
// tests/providers/servers/*.ts): the transport, OpenAI's APIs and the provider failures here; the
// local servers in local-servers.test.ts; streamed tool calls in stream-wire.test.ts. The task
// brain: servers/brain.test.ts; the AI SDK reading every stand-in: servers/sdk-interop.test.ts.

const started = closeAfterEach();
const brain = createTaskBrain();

describe('every stand-in (transport)', () => {
  it('listens on loopback, records each request with the status sent, and refuses connections once closed', async () => {
    const server = await startOllamaServer({ brain });
    expect([server.url, server.baseURL]).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), `${server.url}/v1`]);
    await chat(server, chatBody());
    await chat(server, '{not json');
    expect(server.requests.map((request) => [request.index, request.method, request.path, request.status])).toEqual([
      [1, 'POST', '/v1/chat/completions', 200],
      [2, 'POST', '/v1/chat/completions', 400],
    ]);
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow('fetch failed');
  });

  it.each([
    ['a body over maxBodyBytes', { maxBodyBytes: 100 }, '/v1/chat/completions', 1, 413, 'stand-in ollama: the request body is larger than 100 bytes'],
    ['a request past maxRequests', { maxRequests: 1 }, '/v1/chat/completions', 2, 500, 'stand-in ollama: more than 1 requests'],
    ['a path with no route', {}, '/v1/embeddings', 1, 404, 'stand-in ollama: no route POST /v1/embeddings'],
  ])('answers %s with a stand-in error', async (_case, limits, path, count, status, text) => {
    const server = await started(startOllamaServer({ brain, ...limits }));
    const replies = [];
    for (let index = 0; index < count; index += 1) replies.push(await post(server, path, chatBody()));
    expect([replies.at(-1)!.status, replies.at(-1)!.json]).toEqual([status, { error: { message: text, type: 'stand_in_error', param: null, code: null } }]);
  });

  it('answers 500 naming the broken rule when the brain calls a tool the request did not offer', async () => {
    const server = await started(startOllamaServer({ brain: () => ({ toolCalls: [{ name: 'deleteEverything', arguments: {} }] }) }));
    const reply = await chat(server, chatBody({ tools: TOOLS }));
    expect([reply.status, reply.json.error.message]).toEqual([500, 'stand-in ollama: the brain called "deleteEverything", which the request did not offer']);
  });
});

describe('OpenAI Chat Completions (strict)', () => {
  it('honours tools and a strict json_schema together: the tool call, then the schema-valid outcome', async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const first = await chat(server, chatBody({ tools: TOOLS, tool_choice: 'auto', response_format: SCHEMA_FORMAT }));
    expect(first.status).toBe(200);
    expect(first.json.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_standin1x0', type: 'function', function: { name: 'writeFile', arguments: JSON.stringify(WRITE_CALL.arguments) } }],
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(first.json).toMatchObject({ id: 'chatcmpl-standin000001', object: 'chat.completion', model: 'qwen3:4b', system_fingerprint: 'fp_standin' });
    const second = await chat(server, afterWrite({ tools: TOOLS, response_format: SCHEMA_FORMAT }));
    expect([message(second).content, second.json.choices[0].finish_reason]).toEqual([JSON.stringify(WROTE_OUTCOME), 'stop']);
    const usage = second.json.usage;
    expect([usage.completion_tokens, usage.total_tokens]).toEqual([
      estimateTokens(JSON.stringify(WROTE_OUTCOME)),
      usage.prompt_tokens + usage.completion_tokens,
    ]);
  });

  it.each([
    [
      'a strict schema with an optional field',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'outcome', strict: true, schema: { ...OUTCOME_SCHEMA, required: ['success', 'output'] } },
        },
      },
      {
        message:
          "Invalid schema for response_format 'outcome': In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'error'.",
        type: 'invalid_request_error',
        param: 'response_format',
        code: 'invalid_json_schema',
      },
    ],
    [
      "a strict schema with a keyword outside the supported subset ('allOf')",
      {
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'outcome',
            strict: true,
            schema: { ...OUTCOME_SCHEMA, properties: { ...OUTCOME_SCHEMA.properties, output: { allOf: [{ type: 'string' }] } } },
          },
        },
      },
      {
        message: "Invalid schema for response_format 'outcome': In context=('properties', 'output'), 'allOf' is not permitted.",
        type: 'invalid_request_error',
        param: 'response_format',
        code: 'invalid_json_schema',
      },
    ],
    [
      'JSON mode without the word json in the messages',
      { response_format: { type: 'json_object' } },
      {
        message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        type: 'invalid_request_error',
        param: 'messages',
        code: null,
      },
    ],
  ])('refuses %s with a 400', async (_case, extra, error) => {
    const server = await started(startOpenAIChatServer({ brain }));
    const reply = await chat(server, chatBody(extra, 'Say hello.'));
    expect([reply.status, reply.json]).toEqual([400, { error }]);
    expect(server.exchanges).toEqual([]);
  });

  it('answers 401 without an API key', async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const reply = await chat(server, chatBody(), {});
    expect([reply.status, reply.json.error.code, reply.json.error.message]).toEqual([401, null, expect.stringMatching(/^You didn't provide an API key\./)]);
  });

  it('streams chunks whose deltas make the answer, then the usage chunk and [DONE]', async () => {
    const server = await started(startOpenAIChatServer({ brain }));
    const events = await stream(server, '/v1/chat/completions', {
      ...afterWrite({ response_format: SCHEMA_FORMAT }),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = events.slice(0, -1).map((event) => event.data as Json);
    expect(chunks.map((chunk) => chunk.object)).toEqual(Array(chunks.length).fill('chat.completion.chunk'));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(JSON.stringify(WROTE_OUTCOME));
    expect([chunks.at(-2)!.choices[0].finish_reason, chunks.at(-1)!.choices, chunks.at(-1)!.usage.completion_tokens]).toEqual([
      'stop',
      [],
      estimateTokens(JSON.stringify(WROTE_OUTCOME)),
    ]);
    expect(events.at(-1)!.data).toBe('[DONE]');
  });
});

describe('OpenAI Responses (strict)', () => {
  // The body @ai-sdk/openai 4.0.118 sends from `openai(model)` with tools and a schema (captured).
  const responsesBody = (input: unknown[] = []) => ({
    model: 'gpt-4o-mini',
    input: [{ role: 'system', content: 'You are the executor.' }, { role: 'user', content: [{ type: 'input_text', text: stepText(WRITE_STEP) }] }, ...input],
    text: { format: { type: 'json_schema', strict: true, name: 'response', schema: OUTCOME_SCHEMA } },
    tools: TOOLS.map((tool) => ({ type: 'function', ...tool.function, strict: false })),
    tool_choice: 'auto',
  });

  it('answers a function_call item, then a message whose text is the schema-valid outcome', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));
    const first = await post(server, '/v1/responses', responsesBody());
    expect(first.json.output).toEqual([
      {
        id: 'fc_standin1x0',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_standin1x0',
        name: 'writeFile',
        arguments: JSON.stringify(WRITE_CALL.arguments),
      },
    ]);
    const second = await post(
      server,
      '/v1/responses',
      responsesBody([
        { type: 'function_call', call_id: 'call_standin1x0', name: 'writeFile', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_standin1x0', output: WRITTEN },
      ]),
    );
    expect(second.json).toMatchObject({
      id: 'resp_standin2',
      object: 'response',
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: JSON.stringify(WROTE_OUTCOME), annotations: [] }] }],
    });
    expect(second.json.usage).toEqual({
      input_tokens: expect.any(Number),
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: estimateTokens(JSON.stringify(WROTE_OUTCOME)),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: second.json.usage.input_tokens + estimateTokens(JSON.stringify(WROTE_OUTCOME)),
    });
  });

  it('resolves an item_reference to a stored output item and refuses an unknown one', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));
    await post(server, '/v1/responses', responsesBody());
    await post(
      server,
      '/v1/responses',
      responsesBody([
        { type: 'item_reference', id: 'fc_standin1x0' },
        { type: 'function_call_output', call_id: 'call_standin1x0', output: WRITTEN },
      ]),
    );
    expect(server.exchanges[1]!.request.messages.slice(2).map((entry) => [entry.role, entry.toolCalls?.[0]?.name ?? entry.toolName])).toEqual([
      ['assistant', 'writeFile'],
      ['tool', 'writeFile'],
    ]);
    const unknown = await post(server, '/v1/responses', responsesBody([{ type: 'item_reference', id: 'msg_nope' }]));
    expect([unknown.status, unknown.json.error.message, unknown.json.error.param]).toEqual([400, "Item with id 'msg_nope' not found.", 'input']);
  });

  it('refuses a strict text.format schema outside the strict subset (param text.format.schema)', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));
    const body = {
      ...responsesBody(),
      text: { format: { type: 'json_schema', strict: true, name: 'response', schema: { ...OUTCOME_SCHEMA, additionalProperties: true } } },
    };
    const reply = await post(server, '/v1/responses', body);
    expect([reply.status, reply.json.error]).toEqual([
      400,
      {
        message: "Invalid schema for response_format 'response': In context=(), 'additionalProperties' is required to be supplied and to be false.",
        type: 'invalid_request_error',
        param: 'text.format.schema',
        code: 'invalid_json_schema',
      },
    ]);
  });

  it('streams the documented events in order', async () => {
    const server = await started(startOpenAIResponsesServer({ brain }));
    const events = await stream(server, '/v1/responses', { ...responsesBody(), stream: true });
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => (event.data as Record<string, unknown>).sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('provider failures', () => {
  it('401 with OpenAI invalid_api_key body, the key masked', async () => {
    const server = await started(startUnauthorizedServer());
    const reply = await chat(server, chatBody(), { authorization: 'Bearer sk-proj-abcdefghijklmnop' });
    expect([reply.status, reply.json]).toEqual([
      401,
      {
        error: {
          message: 'Incorrect API key provided: sk-proj-************mnop. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    ]);
    expect((await post(server, '/v1/responses', {})).status).toBe(401);
  });

  it('429 as OpenAI sends it (no Retry-After, no x-ratelimit headers) twice, then 200 from the brain', async () => {
    const server = await started(startRateLimitedServer({ brain }));
    const replies = [await chat(server, chatBody()), await chat(server, chatBody()), await chat(server, chatBody())];
    const rateHeaders = (reply: (typeof replies)[number]) => [...reply.headers.keys()].filter((name) => /^(retry-after|x-ratelimit-)/.test(name));
    expect(replies.map((reply) => [reply.status, rateHeaders(reply), reply.json.error?.code ?? null])).toEqual([
      [429, [], 'rate_limit_exceeded'],
      [429, [], 'rate_limit_exceeded'],
      [200, [], null],
    ]);
    expect(replies[0]!.json.error).toEqual({
      message:
        'Rate limit reached for qwen3:4b in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
  });

  it('429 with Retry-After when a test asks for a server that sends one', async () => {
    const server = await started(startRateLimitedServer({ brain, failures: 1, retryAfterSeconds: 3 }));
    const replies = [await chat(server, chatBody()), await chat(server, chatBody())];
    expect(replies.map((reply) => [reply.status, reply.headers.get('retry-after')])).toEqual([
      [429, '3'],
      [200, null],
    ]);
  });

  it('an address nobody listens on refuses the connection', async () => {
    const address = await closedLoopbackAddress();
    await expect(fetch(`${address.baseURL}/chat/completions`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });
});
