import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { noopLogger } from '@mastra/core/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { baseUrlOf, classifyModelError, redactSecrets, retryAfterMs } from '../../src/agents/provider-errors.ts';
import { ModelOutputError, type ModelCallRole } from '../../src/engine/errors.ts';
import { asMastraModel } from '../../src/testing/as-mastra-model.ts';

type Api = 'chat' | 'responses';
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
let requestCount = 0;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  requestCount = 0;
});

/** A loopback server answering every request (any path) with `handler`, once the body is read. */
async function startServer(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    requestCount += 1;
    request.resume();
    request.on('end', () => handler(request, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

function answer(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
}

function openAIError(message: string, code: string | null = null, type = 'invalid_request_error'): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** A port that was bound and then closed: nobody listens on it. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}

/** What a real planner Agent on a real @ai-sdk/openai model throws; fails the test if it resolves. */
async function thrownByPlanner(baseURL: string, api: Api, fetchOverride?: typeof fetch): Promise<unknown> {
  const provider = createOpenAI({ baseURL, apiKey: 'sk-test', ...(fetchOverride ? { fetch: fetchOverride } : {}) });
  const agent = createPlannerAgent({ model: asMastraModel(api === 'chat' ? provider.chat('m') : provider('m')) });
  agent.__setLogger(noopLogger);
  try {
    const result = await agent.generate('Plan this.', {
      structuredOutput: { schema: z.object({ goal: z.string() }), errorStrategy: 'fallback', fallbackValue: null },
    });
    throw new Error(`generate resolved (finishReason ${result.finishReason})`);
  } catch (error) {
    return error;
  }
}

async function classified(handler: Handler, api: Api = 'chat', role: ModelCallRole = 'planner') {
  const thrown = await thrownByPlanner(await startServer(handler), api);
  return classifyModelError(thrown, role, { now: () => NOW });
}

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
// OpenAI's documented 401 body: the key it echoes is masked (help.openai.com article 6882433).
const OPENAI_401 =
  'Incorrect API key provided: sk-abc12***************************************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.';

describe('classifyModelError on what a real Agent throws', () => {
  it.each<[number, Api, string, string]>([
    [401, 'chat', openAIError(OPENAI_401, 'invalid_api_key'), OPENAI_401],
    [401, 'responses', openAIError(OPENAI_401, 'invalid_api_key'), OPENAI_401],
    [
      404,
      'chat',
      openAIError('The model `m` does not exist or you do not have access to it.', 'model_not_found'),
      'The model `m` does not exist or you do not have access to it.',
    ],
    [404, 'responses', '', 'Not Found'],
    [
      400,
      'chat',
      openAIError("Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."),
      "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    ],
    [
      422,
      'chat',
      '{"detail":[{"loc":["body","messages"],"msg":"Field required","type":"missing"}]}',
      '{"detail":[{"loc":["body","messages"],"msg":"Field required","type":"missing"}]}',
    ],
    [403, 'chat', '{"error":"model access denied"}', 'model access denied'],
    [400, 'responses', '{"object":"error","message":"tools are not supported","type":"BadRequestError","code":400}', 'tools are not supported'],
  ])('makes HTTP %i (%s API) a MODEL_REQUEST_REJECTED with the provider message, after one request', async (status, api, body, providerMessage) => {
    const error = await classified(answer(status, body), api, 'replanner');

    expect(error).toMatchObject({ code: 'MODEL_REQUEST_REJECTED', name: 'ModelRequestRejectedError', status, providerMessage, role: 'replanner' });
    expect((error as Error).message).toBe(`The model server refused the replanner's request (HTTP ${status}): ${providerMessage}`);
    expect(requestCount).toBe(1);
  });

  it.each<[number, Api, Record<string, string>, number | null]>([
    [429, 'chat', { 'retry-after': '1' }, 1000],
    [429, 'responses', { 'retry-after': '1' }, 1000],
    [429, 'chat', { 'retry-after-ms': '1500', 'retry-after': '9' }, 1500],
    [503, 'chat', { 'retry-after': new Date(NOW + 7000).toUTCString() }, 7000],
    [503, 'responses', { 'retry-after': 'soon' }, null],
    [500, 'chat', {}, null],
    [502, 'chat', {}, null],
    [408, 'chat', {}, null],
    [409, 'chat', { 'retry-after': '2' }, 2000],
  ])('makes HTTP %i (%s API, headers %j) a retryable MODEL_CALL_FAILED with retryAfterMs %s, after one request', async (status, api, headers, retryAfter) => {
    const error = await classified(answer(status, openAIError(`server says ${status}`, null, 'server_error'), headers), api, 'executor');

    expect(error).toMatchObject({ code: 'MODEL_CALL_FAILED', status, retryAfterMs: retryAfter, role: 'executor' });
    expect((error as Error).message).toBe(`The executor's model call failed (HTTP ${status}): server says ${status}`);
    // Mastra's Agent retries nothing by default (its maxRetries is 0): the engine's backoff is the only one.
    expect(requestCount).toBe(1);
  });

  it.each<Api>(['chat', 'responses'])('makes a refused connection (%s API) a MODEL_UNAVAILABLE naming the base URL', async (api) => {
    const baseURL = await closedPortUrl();
    const error = classifyModelError(await thrownByPlanner(baseURL, api), 'planner');

    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', baseUrl: baseURL, role: 'planner' });
    expect((error as Error).message).toBe(`Cannot reach the model server at ${baseURL} for the planner: connect ECONNREFUSED ${baseURL.slice(7, -3)}`);
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('makes a DNS failure (%s, as undici reports it) a MODEL_UNAVAILABLE', async (code) => {
    // No resolver is asked: the fetch fails the way undici's does when getaddrinfo fails.
    const failingFetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ${code} models.example.invalid`), { code, syscall: 'getaddrinfo' }) });
    };
    const error = classifyModelError(await thrownByPlanner('http://models.example.invalid/v1', 'chat', failingFetch), 'synthesizer');

    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', baseUrl: 'http://models.example.invalid/v1', role: 'synthesizer' });
    expect((error as Error).message).toBe(
      `Cannot reach the model server at http://models.example.invalid/v1 for the synthesizer: getaddrinfo ${code} models.example.invalid`,
    );
  });

  it('makes a port fetch blocks (9, "discard") a MODEL_UNAVAILABLE saying so: nothing is ever connected to', async () => {
    const error = classifyModelError(await thrownByPlanner('http://127.0.0.1:9/v1', 'chat'), 'planner');

    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', baseUrl: 'http://127.0.0.1:9/v1' });
    expect((error as Error).message).toBe(
      "Cannot reach the model server at http://127.0.0.1:9/v1 for the planner: fetch refuses this port (the Fetch standard's port blocking); serve the model on another port",
    );
  });

  it('makes a TLS failure (https to a plain-HTTP server) a MODEL_UNAVAILABLE', async () => {
    const baseURL = (await startServer(answer(200, '{}'))).replace('http:', 'https:');
    const error = classifyModelError(await thrownByPlanner(baseURL, 'chat'), 'planner');

    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', baseUrl: baseURL });
    expect((error as Error).message).toBe(`Cannot reach the model server at ${baseURL} for the planner: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)`);
  });

  it('makes a connection reset mid-request a MODEL_CALL_FAILED without status', async () => {
    const error = await classified((request) => request.socket.resetAndDestroy());

    expect(error).toMatchObject({ code: 'MODEL_CALL_FAILED', status: null, retryAfterMs: null });
    expect((error as Error).message).toBe("The planner's model call failed: read ECONNRESET");
  });

  it('makes a response cut off after its headers a MODEL_CALL_FAILED without status', async () => {
    const error = await classified((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":"chatcmpl-1",');
      setTimeout(() => request.socket.destroy(), 20);
    });

    expect(error).toMatchObject({ code: 'MODEL_CALL_FAILED', status: null, retryAfterMs: null });
    expect((error as Error).message).toBe("The planner's model call failed: other side closed (UND_ERR_SOCKET)");
  });

  it('keeps the original error as the cause', async () => {
    const thrown = await thrownByPlanner(await startServer(answer(401, openAIError(OPENAI_401))), 'chat');
    expect((classifyModelError(thrown, 'planner') as Error).cause).toBe(thrown);
  });

  it('masks a key that a proxy echoes unmasked, and the secrets it is given', async () => {
    const key = 'sk-proj-Abcdefghijklmnopqrstuvwxyz0123';
    const body = openAIError(`Invalid key ${key} (header "Bearer ${key}"), password hunter2hunter2`);
    const thrown = await thrownByPlanner(await startServer(answer(401, body)), 'chat');

    const error = classifyModelError(thrown, 'planner', { secrets: ['hunter2hunter2', undefined] });

    expect(error).toMatchObject({ providerMessage: 'Invalid key sk-proj-****0123 (header "Bearer ****"), password ****' });
  });
});

describe('classifyModelError on other values', () => {
  it.each<[string, unknown]>([
    ['a PlanExecuteError', new ModelOutputError('planner', 'prose', ['not JSON'])],
    ['an unknown Error', new Error('something else')],
    ['an abort', new DOMException('This operation was aborted', 'AbortError')],
    ['a string', 'boom'],
    ['undefined', undefined],
    [
      'a cyclic cause chain',
      (() => {
        const error = new Error('loop') as Error & { cause?: unknown };
        error.cause = error;
        return error;
      })(),
    ],
  ])('returns %s unchanged', (_label, value) => {
    expect(classifyModelError(value, 'planner')).toBe(value);
  });

  it("finds the status in the last error of the AI SDK's RetryError", () => {
    const attempt = (status: number) =>
      Object.assign(new Error(`attempt ${status}`), {
        name: 'AI_APICallError',
        statusCode: status,
        url: 'http://h/v1/chat/completions',
        responseHeaders: {},
        responseBody: '',
      });
    const retryError = Object.assign(new Error('Failed after 2 attempts'), {
      name: 'AI_RetryError',
      errors: [attempt(500), attempt(503)],
      lastError: attempt(503),
    });

    expect(classifyModelError(retryError, 'planner')).toMatchObject({ code: 'MODEL_CALL_FAILED', status: 503 });
  });

  it('finds the code in an AggregateError of a dual-stack connect', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    const cause = Object.assign(new AggregateError([refused('::1:8080'), refused('127.0.0.1:8080')]), { code: 'ECONNREFUSED' });
    const thrown = Object.assign(new Error('Cannot connect to API: '), { name: 'AI_APICallError', url: 'http://localhost:8080/v1/responses', cause });

    expect(classifyModelError(thrown, 'planner')).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      baseUrl: 'http://localhost:8080/v1',
      message: 'Cannot reach the model server at http://localhost:8080/v1 for the planner: connect ECONNREFUSED ::1:8080',
    });
  });
});

describe('baseUrlOf', () => {
  it.each([
    ['http://127.0.0.1:11434/v1/chat/completions', 'http://127.0.0.1:11434/v1'],
    ['https://api.openai.com/v1/responses', 'https://api.openai.com/v1'],
    ['https://user:secret@proxy.example/openai/v1/completions?api-key=abc#x', 'https://proxy.example/openai/v1'],
    ['http://localhost:8080/v1/models/m:generate', 'http://localhost:8080/v1/models'],
    ['not a url', null],
  ])('%s → %s', (endpoint, expected) => {
    expect(baseUrlOf(endpoint)).toBe(expected);
  });
});

describe('retryAfterMs', () => {
  it.each<[Record<string, unknown>, number | null]>([
    [{ 'retry-after': '1' }, 1000],
    [{ 'Retry-After': ' 2.5 ' }, 2500],
    [{ 'retry-after-ms': '250.4' }, 251],
    [{ 'retry-after': new Date(NOW + 3000).toUTCString() }, 3000],
    [{ 'retry-after': new Date(NOW - 3000).toUTCString() }, 0],
    [{ 'retry-after': '-1' }, null],
    [{ 'retry-after-ms': 'x', 'retry-after': '3' }, 3000],
    [{}, null],
  ])('%j → %s', (headers, expected) => {
    expect(retryAfterMs(headers, NOW)).toBe(expected);
  });

  it('reads nothing from a value that is not a header record', () => {
    expect(retryAfterMs(undefined, NOW)).toBeNull();
  });
});

describe('redactSecrets', () => {
  it("keeps OpenAI's own masked 401 message as it is", () => {
    expect(redactSecrets(OPENAI_401, ['sk-abc12-not-this-one'])).toBe(OPENAI_401);
  });

  it('leaves secrets shorter than 8 characters alone rather than mangle words', () => {
    expect(redactSecrets('key k is wrong', ['k'])).toBe('key k is wrong');
  });
});
