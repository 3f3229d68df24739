import { afterEach, describe, expect, it } from 'vitest';
import { httpErrorReply, startOpenAIStub, textReply, toolCallReply, type OpenAIStub, type StubScript } from './openai-stub-server.ts';

let stub: OpenAIStub | null = null;

async function post(script: StubScript, bodies: unknown[], path = '/v1/chat/completions') {
  stub = await startOpenAIStub(script, { maxBodyBytes: 200 });
  const replies: Array<{ status: number; body: Record<string, unknown> }> = [];
  for (const body of bodies) {
    const response = await fetch(stub.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    replies.push({ status: response.status, body: (await response.json()) as Record<string, unknown> });
  }
  return replies;
}

afterEach(async () => {
  await stub?.close();
  stub = null;
});

describe('startOpenAIStub', () => {
  it('listens on loopback only', async () => {
    stub = await startOpenAIStub([]);
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers queued replies as chat.completion objects with usage, and records each body', async () => {
    const [first, second] = await post(
      [toolCallReply('add', { a: 1, b: 2 }, { promptTokens: 3, completionTokens: 4 }), (request) => textReply(`you sent ${request.body.messages?.length}`)],
      [
        { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
        { model: 'm', messages: [] },
      ],
    );

    expect(first).toEqual({
      status: 200,
      body: {
        id: 'chatcmpl-stub-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'm',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1_0', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      },
    });
    expect(second!.body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'you sent 0' }, finish_reason: 'stop' }]);
    expect(second!.body.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(stub!.requests.map((request) => [request.index, request.body.messages])).toEqual([
      [1, [{ role: 'user', content: 'hi' }]],
      [2, []],
    ]);
  });

  it.each<[string, StubScript, unknown, string | undefined, number, string]>([
    ['the script ran out', [], { messages: [] }, undefined, 500, 'openai-stub-server: the script ran out (0 replies) at request #1'],
    ['the reply is an HTTP error', [httpErrorReply(429, 'Slow down')], { messages: [] }, undefined, 429, 'Slow down'],
    [
      'the responder throws',
      () => {
        throw new Error('no idea');
      },
      { messages: [] },
      undefined,
      500,
      'openai-stub-server: the responder threw: no idea',
    ],
    ['the path is not the Chat Completions API', [], { messages: [] }, '/v1/responses', 404, 'openai-stub-server: no route POST /v1/responses'],
    ['the request asks for a stream', [], { stream: true }, undefined, 400, 'openai-stub-server: `stream: true` is not supported'],
    ['the body is too large', [], { messages: 'x'.repeat(300) }, undefined, 413, 'openai-stub-server: the request body is larger than 200 bytes'],
  ])('answers a JSON error when %s', async (_case, script, body, path, status, message) => {
    const [reply] = await post(script, [body], path);

    expect(reply).toEqual({ status, body: { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, param: null } } });
  });
});
