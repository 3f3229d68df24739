import { errorReply, type HttpReply } from './core.ts';
import type { RecordedRequest } from './types.ts';
import { strictSchemaProblem } from './strict-schema.ts';

// OpenAI's error bodies. Statuses and causes: https://platform.openai.com/docs/guides/error-codes
// ("401 - Incorrect API key provided", "429 - Rate limit reached for requests"). The JSON bodies
// are the API's own as captured in public reports (the guide shows none verbatim), e.g.
// {"error":{"message":"Incorrect API key provided: sk-apZBs****…1cj4. You can find your API key at
// https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}.

const KEYS_PAGE = 'https://platform.openai.com/account/api-keys';

/** The key as OpenAI echoes it: short keys whole, longer ones as their first 8 and last 4 characters around asterisks. */
export function maskApiKey(key: string): string {
  return key.length < 12 ? key : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/** The bearer token of a request; null when there is no `Authorization: Bearer` header. */
export function bearerToken(request: RecordedRequest): string | null {
  const header = request.headers.authorization;
  const match = /^Bearer (.*)$/.exec(header ?? '');
  return match ? match[1]! : null;
}

/** 401 for a request without a key. */
export function missingKeyReply(): HttpReply {
  return errorReply(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), " +
      `or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from ${KEYS_PAGE}.`,
  );
}

/** 401 for a wrong key. */
export function invalidKeyReply(key: string): HttpReply {
  return errorReply(401, `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at ${KEYS_PAGE}.`, { code: 'invalid_api_key' });
}

/** 401 for `request` when it carries no key or a key other than `validKey`; null when it may pass. */
export function authenticationReply(request: RecordedRequest, validKey?: string): HttpReply | null {
  const key = bearerToken(request);
  if (key === null || key === '') return missingKeyReply();
  return validKey !== undefined && key !== validKey ? invalidKeyReply(key) : null;
}

/**
 * 429 for the requests-per-minute limit, body as the API words it (type `requests`, code
 * `rate_limit_exceeded`). OpenAI documents no `Retry-After`: its rate-limit guide lists only the
 * `x-ratelimit-*` headers (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers),
 * and a real 429 captured in openai/openai-node#1477 carried neither those nor `Retry-After`. So
 * by default there is no such header; `retryAfterSeconds` adds one, for a test of a server or
 * proxy that sends one (Azure OpenAI documents `retry-after-ms` on its 429s; the OpenAI SDKs honour
 * `retry-after`, openai/openai-node#1108).
 */
export function rateLimitReply(model: string, { retryAfterSeconds }: { retryAfterSeconds?: number } = {}): HttpReply {
  return errorReply(
    429,
    `Rate limit reached for ${model} in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. ` +
      `Please try again in ${retryAfterSeconds ?? 20}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    { type: 'requests', code: 'rate_limit_exceeded', headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) } },
  );
}

/** 400 for a strict response format whose schema is outside the strict subset; null when it is inside. */
export function strictFormatRejection(name: string, schema: unknown, param: string): HttpReply | null {
  const problem = strictSchemaProblem(schema);
  return problem ? errorReply(400, `Invalid schema for response_format '${name}': ${problem}`, { code: 'invalid_json_schema', param }) : null;
}

/** 400 for the first strict tool whose parameters are outside the strict subset; null when there is none. */
export function strictToolsRejection(
  tools: ReadonlyArray<{ name: string; parameters: unknown; strict?: boolean }>,
  param: (index: number) => string,
): HttpReply | null {
  for (const [index, tool] of tools.entries()) {
    if (tool.strict !== true) continue;
    const problem = strictSchemaProblem(tool.parameters);
    if (problem) return errorReply(400, `Invalid schema for function '${tool.name}': ${problem}`, { code: 'invalid_function_parameters', param: param(index) });
  }
  return null;
}
