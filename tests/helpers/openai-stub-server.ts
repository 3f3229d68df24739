import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Tokens the stub reports for one completion, in the OpenAI wire shape's terms. */
export interface StubUsage {
  /** Reported as `usage.prompt_tokens`. */
  readonly promptTokens: number;
  /** Reported as `usage.completion_tokens`; `total_tokens` is the sum. */
  readonly completionTokens: number;
}

/** One tool call of an assistant message. */
export interface StubToolCall {
  /** The tool's name, as the request's `tools[].function.name`. */
  readonly name: string;
  /** The arguments, serialised to the JSON string the API sends. */
  readonly arguments: unknown;
  /** The call id. @default `call_<request number>_<index>` */
  readonly id?: string;
}

/** What the stub answers to one request. */
export type StubReply =
  | { readonly type: 'text'; readonly content: string; readonly usage?: StubUsage }
  | { readonly type: 'tool-calls'; readonly toolCalls: readonly StubToolCall[]; readonly usage?: StubUsage }
  | { readonly type: 'http-error'; readonly status: number; readonly message: string };

/** One request the stub received, its body parsed as JSON (the raw text when it is not JSON). */
export interface RecordedRequest {
  /** 1 for the first request the server received. */
  readonly index: number;
  readonly method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: ChatRequestBody;
}

/** The parts of a Chat Completions request body the tests read; everything else is kept as sent. */
export interface ChatRequestBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly messages?: ReadonlyArray<{ readonly role: string; readonly content?: unknown; readonly tool_call_id?: string; readonly tool_calls?: unknown }>;
  readonly tools?: ReadonlyArray<{
    readonly type: string;
    readonly function: { readonly name: string; readonly description?: string; readonly parameters?: unknown };
  }>;
  readonly response_format?: { readonly type: string; readonly json_schema?: { readonly name?: string; readonly schema?: unknown; readonly strict?: boolean } };
  readonly [key: string]: unknown;
}

/** Answers a request; called once per request, in arrival order. */
export type StubResponder = (request: RecordedRequest) => StubReply;

/** A queue of replies (each a reply or a responder), or one responder for every request. */
export type StubScript = ReadonlyArray<StubReply | StubResponder> | StubResponder;

/** Options of `startOpenAIStub`. */
export interface StubServerOptions {
  /** Requests answered before every later one gets a 500. @default 100 */
  readonly maxRequests?: number;
  /** Largest request body accepted; a bigger one gets a 413. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

/** A running stub server. */
export interface OpenAIStub {
  /** `http://127.0.0.1:<port>`; the OpenAI base URL is this plus `/v1`. */
  readonly url: string;
  /** Every request received, in order, including the ones answered with an error. */
  readonly requests: readonly RecordedRequest[];
  /** Stops the server and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

/** Usage reported when a reply names none. */
export const DEFAULT_STUB_USAGE: StubUsage = { promptTokens: 10, completionTokens: 5 };

const CHAT_PATH = '/v1/chat/completions';

/** An assistant message with `content`. */
export function textReply(content: string, usage?: StubUsage): StubReply {
  return { type: 'text', content, ...(usage ? { usage } : {}) };
}

/** An assistant message whose content is `value` as JSON (a structured answer). */
export function jsonReply(value: unknown, usage?: StubUsage): StubReply {
  return textReply(JSON.stringify(value), usage);
}

/** An assistant message with one tool call. */
export function toolCallReply(name: string, args: unknown, usage?: StubUsage): StubReply {
  return { type: 'tool-calls', toolCalls: [{ name, arguments: args }], ...(usage ? { usage } : {}) };
}

/** An HTTP error with an OpenAI-style `{ error: { message, type } }` body. */
export function httpErrorReply(status: number, message: string): StubReply {
  return { type: 'http-error', status, message };
}

/**
 * Starts an OpenAI Chat Completions stub on 127.0.0.1 (a free port): every POST to
 * `/v1/chat/completions` is recorded and answered from `script` with a non-streaming
 * `chat.completion` object. When the script runs out, or a request is malformed, the answer is a
 * 500 (or 4xx) JSON error saying so, so a test fails loudly instead of hanging.
 */
export async function startOpenAIStub(script: StubScript, { maxRequests = 100, maxBodyBytes = 1 << 20 }: StubServerOptions = {}): Promise<OpenAIStub> {
  const requests: RecordedRequest[] = [];
  const queue = typeof script === 'function' ? null : [...script];
  const next = (request: RecordedRequest): StubReply => {
    if (typeof script === 'function') return script(request);
    const entry = queue!.shift();
    if (!entry) return httpErrorReply(500, `openai-stub-server: the script ran out (${script.length} replies) at request #${request.index}`);
    return typeof entry === 'function' ? entry(request) : entry;
  };

  const server = createServer((incoming, response) => {
    readBody(incoming, maxBodyBytes).then(
      (raw) => respond(incoming, response, raw),
      (error: unknown) => sendError(response, 413, error instanceof Error ? error.message : String(error)),
    );
  });

  const respond = (incoming: IncomingMessage, response: ServerResponse, raw: string) => {
    const body = parseJson(raw);
    const request: RecordedRequest = {
      index: requests.length + 1,
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body: (body ?? { raw }) as ChatRequestBody,
    };
    requests.push(request);
    if (request.method !== 'POST' || request.path !== CHAT_PATH)
      return sendError(response, 404, `openai-stub-server: no route ${request.method} ${request.path}`);
    if (body === undefined) return sendError(response, 400, 'openai-stub-server: the request body is not JSON');
    // Agent.generate (every role here) sends non-streaming requests; a stream would need SSE, which this stub leaves out.
    if (request.body.stream === true) return sendError(response, 400, 'openai-stub-server: `stream: true` is not supported');
    if (request.index > maxRequests) return sendError(response, 500, `openai-stub-server: more than ${maxRequests} requests`);
    let reply: StubReply;
    try {
      reply = next(request);
    } catch (error) {
      return sendError(response, 500, `openai-stub-server: the responder threw: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (reply.type === 'http-error') return sendError(response, reply.status, reply.message);
    sendJson(response, 200, chatCompletion(request, reply));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function chatCompletion(request: RecordedRequest, reply: Exclude<StubReply, { type: 'http-error' }>) {
  const { promptTokens, completionTokens } = reply.usage ?? DEFAULT_STUB_USAGE;
  const message =
    reply.type === 'text'
      ? { role: 'assistant', content: reply.content }
      : {
          role: 'assistant',
          content: null,
          tool_calls: reply.toolCalls.map((call, index) => ({
            id: call.id ?? `call_${request.index}_${index}`,
            type: 'function',
            function: { name: call.name, arguments: JSON.stringify(call.arguments) },
          })),
        };
  return {
    id: `chatcmpl-stub-${request.index}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: request.body.model ?? 'stub',
    choices: [{ index: 0, message, finish_reason: reply.type === 'text' ? 'stop' : 'tool_calls' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string) {
  sendJson(response, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, param: null } });
}

function readBody(incoming: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is drained, not kept, so the 413 can still be sent on the open socket.
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    incoming.on('end', () =>
      size > limit ? reject(new Error(`openai-stub-server: the request body is larger than ${limit} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    incoming.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
