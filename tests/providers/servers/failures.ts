import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatRoute } from './chat-server.ts';
import { startStandIn } from './core.ts';
import { openAIChatDefinition, type OpenAIServerOptions } from './openai-chat.ts';
import { bearerToken, invalidKeyReply, missingKeyReply, rateLimitReply } from './openai-errors.ts';
import { responsesRoute } from './openai-responses.ts';
import type { ServerLimits, StandInServer } from './types.ts';

// Provider failures, with OpenAI's documented statuses and bodies (see openai-errors.ts for the
// sources): a key the server refuses (401 `invalid_api_key`), a rate limit that passes (429s, as
// OpenAI's without `Retry-After` unless a test asks for one, then success), and an address nobody
// listens on (connection refused).

const OPENAI_PATHS = ['/v1/chat/completions', '/v1/responses'];

/**
 * Starts a server that refuses every request with OpenAI's 401: "Incorrect API key provided: …"
 * (`invalid_api_key`) for a bearer token, "You didn't provide an API key. …" without one.
 */
export function startUnauthorizedServer(limits: ServerLimits = {}): Promise<StandInServer> {
  return startStandIn({
    name: 'unauthorized',
    routes: {},
    before: (request) => {
      const key = bearerToken(request);
      return key ? invalidKeyReply(key) : missingKeyReply();
    },
    ...limits,
  });
}

/** Options of {@link startRateLimitedServer}. */
export interface RateLimitedServerOptions extends OpenAIServerOptions {
  /** Model requests answered 429 before the first success. @default 2 */
  readonly failures?: number;
  /** A `Retry-After` header, in seconds, on each 429 (a server or proxy that sends one). @default none, as OpenAI's own 429 */
  readonly retryAfterSeconds?: number;
}

/**
 * Starts an OpenAI stand-in (Chat Completions and Responses) whose first `failures` model
 * requests get 429 "Rate limit reached for …" (with `Retry-After` only when `retryAfterSeconds`
 * is given); later ones are answered by the brain as the OpenAI stand-ins answer them.
 */
export function startRateLimitedServer({ failures = 2, retryAfterSeconds, apiKey, brain, ...limits }: RateLimitedServerOptions): Promise<StandInServer> {
  let refused = 0;
  return startStandIn({
    name: 'rate-limited',
    routes: { '/v1/chat/completions': chatRoute(openAIChatDefinition(apiKey), brain), '/v1/responses': responsesRoute({ apiKey, brain }) },
    before: (request) => {
      if (!OPENAI_PATHS.includes(request.path) || refused >= failures) return null;
      refused += 1;
      return rateLimitReply(String((request.body as { model?: unknown } | undefined)?.model ?? 'the model'), { retryAfterSeconds });
    },
    ...limits,
  });
}

/** An address nobody listens on. */
export interface ClosedAddress {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `url` + `/v1`. */
  readonly baseURL: string;
}

/**
 * A loopback address nobody listens on: a port the OS just gave out, then closed, so connecting
 * fails with ECONNREFUSED (another process could take the port meanwhile; on loopback in a test
 * run that is unlikely).
 */
export async function closedLoopbackAddress(): Promise<ClosedAddress> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const url = `http://127.0.0.1:${port}`;
  return { url, baseURL: `${url}/v1` };
}
