import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange, RecordedRequest, ServerLimits, StandInServer } from './types.ts';

/** One server-sent event; `data` is JSON-encoded unless it is a string (such as `[DONE]`). */
export interface SseEvent {
  /** The `event:` line (the Responses API names its events); omitted when undefined. */
  readonly event?: string;
  readonly data: unknown;
}

/** What a route answers: a JSON body, or an SSE stream of events. */
export interface HttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly events?: readonly SseEvent[];
}

/** What a route gets for one request. */
export interface RouteContext {
  readonly request: RecordedRequest;
  /** The parsed JSON body. */
  readonly body: unknown;
  /** Records the model call this request made (see `StandInServer.exchanges`). */
  recordExchange(exchange: Omit<Exchange, 'requestIndex'>): void;
}

/** Answers `POST <path>` requests. */
export type Route = (context: RouteContext) => HttpReply | Promise<HttpReply>;

/** Options of {@link startStandIn}. */
export interface StandInTransport extends ServerLimits {
  /** Names the stand-in in its own (non-server) error messages. */
  readonly name: string;
  /** POST routes by exact path, e.g. `/v1/chat/completions`. */
  readonly routes: Readonly<Record<string, Route>>;
  /** Runs before routing; a reply here answers the request (401 and 429 stand-ins use it). */
  readonly before?: (request: RecordedRequest) => HttpReply | null;
}

const DEFAULT_MAX_BODY_BYTES = 1 << 20;
const DEFAULT_MAX_REQUESTS = 200;
// A stalled client must not keep a test hanging: Node closes the socket after this long.
const REQUEST_TIMEOUT_MS = 10_000;

/** An OpenAI-style error reply `{ error: { message, type, param, code } }` (`code` a string for OpenAI, the HTTP status number for vLLM). */
export function errorReply(
  status: number,
  message: string,
  { type = 'invalid_request_error', code = null as string | number | null, param = null as string | null, headers = {} as Record<string, string> } = {},
): HttpReply {
  return { status, headers, json: { error: { message, type, param, code } } };
}

/** Thrown by a route (or a request parser) to answer with `reply`: a documented rejection such as a 400. */
export class Rejection extends Error {
  constructor(readonly reply: HttpReply) {
    super(`rejected with HTTP ${reply.status}`);
  }
}

/** A failure of the stand-in itself (not a documented server behaviour): 500, type `stand_in_error`. */
export function standInFailure(name: string, message: string, status = 500): HttpReply {
  return errorReply(status, `stand-in ${name}: ${message}`, { type: 'stand_in_error' });
}

type Dispatch = (request: RecordedRequest, body: unknown, raw: string | null) => Promise<HttpReply>;

/** Applies the caps, `before` and the routes to one recorded request. */
function dispatcher(
  { name, routes, before, maxBodyBytes, maxRequests }: Required<Omit<StandInTransport, 'before'>> & Pick<StandInTransport, 'before'>,
  exchanges: Exchange[],
): Dispatch {
  return async (request, body, raw) => {
    if (raw === null) return standInFailure(name, `the request body is larger than ${maxBodyBytes} bytes`, 413);
    if (request.index > maxRequests) return standInFailure(name, `more than ${maxRequests} requests`);
    const early = before?.(request);
    if (early) return early;
    const route = request.method === 'POST' ? routes[request.path] : undefined;
    if (!route) return standInFailure(name, `no route ${request.method} ${request.path}`, 404);
    if (body === undefined) return errorReply(400, 'We could not parse the JSON body of your request.');
    const recordExchange = (exchange: Omit<Exchange, 'requestIndex'>) => void exchanges.push({ requestIndex: request.index, ...exchange });
    try {
      return await route({ request, body, recordExchange });
    } catch (error) {
      if (error instanceof Rejection) return error.reply;
      return standInFailure(name, error instanceof Error ? error.message : String(error));
    }
  };
}

/** Records the request (its status once answered) around `dispatch`. */
function recorder(requests: RecordedRequest[], dispatch: Dispatch) {
  return async (incoming: IncomingMessage, raw: string | null): Promise<HttpReply> => {
    const body = raw === null ? undefined : parseJson(raw);
    const request: RecordedRequest = {
      index: requests.length + 1,
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body: body ?? raw ?? undefined,
      receivedAt: Date.now(),
      status: 0,
    };
    requests.push(request);
    const reply = await dispatch(request, body, raw);
    request.status = reply.status;
    return reply;
  };
}

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) that records every request, caps bodies
 * (413) and the number of requests (500 past the cap), parses JSON and hands POSTs to `routes`.
 */
export async function startStandIn({
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  maxRequests = DEFAULT_MAX_REQUESTS,
  ...transport
}: StandInTransport): Promise<StandInServer> {
  const requests: RecordedRequest[] = [];
  const exchanges: Exchange[] = [];
  const answer = recorder(requests, dispatcher({ ...transport, maxBodyBytes, maxRequests }, exchanges));
  const server = createServer((incoming, response) => {
    readBody(incoming, maxBodyBytes)
      .then((raw) => answer(incoming, raw))
      .then((reply) => send(response, reply))
      .catch((error: unknown) => send(response, standInFailure(transport.name, String(error))));
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  return { name: transport.name, url, baseURL: `${url}/v1`, requests, exchanges, close };
}

function send(response: ServerResponse, reply: HttpReply) {
  if (reply.events) {
    response.writeHead(reply.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
    for (const event of reply.events) {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
    }
    response.end();
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  response.end(JSON.stringify(reply.json ?? null));
}

/** The body as text; null when it is larger than `limit` (the rest is drained so the 413 can be sent). */
function readBody(incoming: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    incoming.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
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
