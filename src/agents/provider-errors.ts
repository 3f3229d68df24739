import { ModelCallFailedError, ModelRequestRejectedError, ModelUnavailableError, PlanExecuteError, type ModelCallRole } from '../engine/errors.ts';

/** Options of `classifyModelError`. */
export interface ClassifyModelErrorOptions {
  /** Strings never to show in a provider message (the API key that was sent); masked wherever they appear. @default [] */
  readonly secrets?: readonly (string | undefined)[];
  /** The clock that turns a `Retry-After` HTTP date into a delay. @default Date.now */
  readonly now?: () => number;
}

/**
 * The fields of the AI SDK's `APICallError` read here. What a Mastra Agent throws for a failed
 * model call is that error itself (not wrapped; measured with @mastra/core 1.71 and
 * @ai-sdk/openai 4), on both the Chat Completions and the Responses path.
 */
interface ApiCallErrorLike {
  readonly message: string;
  /** The endpoint called, e.g. `http://127.0.0.1:8080/v1/chat/completions`. */
  readonly url?: unknown;
  /** The HTTP status; undefined when no response came (connect, DNS, TLS errors). */
  readonly statusCode?: unknown;
  /** Response headers, names lower-cased. */
  readonly responseHeaders?: unknown;
  /** The response body as text. */
  readonly responseBody?: unknown;
}

// @ai-sdk/provider is not a direct dependency (Mastra vendors its own copy), so the error is
// recognised by the global marker symbol its `APICallError.isInstance` checks.
const API_CALL_ERROR_MARKER = Symbol.for('vercel.ai.error.AI_APICallError');

/** Client errors a later call may not repeat: timeout, conflict, rate limit (the AI SDK's own list). */
const TRANSIENT_CLIENT_STATUSES = new Set([408, 409, 429]);

/** Codes (Node, undici, Bun) of a server that cannot be reached at all: refused, unknown host, no route. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ConnectionRefused',
  'FailedToOpenSocket',
]);

/** Node's certificate verification codes that carry no common prefix, and a failed TLS handshake. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'EPROTO',
]);
const TLS_CODE_PREFIXES = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_)/;

/** Codes of a connection that broke or stalled after it was made: worth another try. */
const DROPPED_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ConnectionClosed',
]);

/**
 * What undici's fetch throws (as the cause of "fetch failed", with no code) for a port the Fetch
 * standard blocks (§ port blocking: 9, 25, 6000, …): it never connects, so the URL must change.
 */
const BLOCKED_PORT = 'bad port';
const BLOCKED_PORT_REASON = "fetch refuses this port (the Fetch standard's port blocking); serve the model on another port";

/** Endpoint paths the OpenAI-compatible SDKs append to the base URL. */
const ENDPOINT_SUFFIXES = ['/chat/completions', '/completions', '/responses', '/embeddings', '/messages'];

/** A raw error body longer than this is cut: an HTML error page is not a message. */
const MAX_RAW_BODY_CHARS = 300;

/**
 * What a failed model call means for the run, as a PlanExecuteError:
 * - an HTTP 4xx other than 408/409/429 → `ModelRequestRejectedError` (status, the provider's
 *   message as it said it, secrets masked);
 * - connection refused, DNS or TLS failure, a port fetch blocks → `ModelUnavailableError` naming
 *   the base URL called;
 * - 408, 409, 429, 5xx, a connection dropped mid-request → `ModelCallFailedError` with the
 *   server's `retry-after-ms` / `Retry-After` as `retryAfterMs` (null when absent).
 * Anything else (a PlanExecuteError, an abort, an unknown error) is returned unchanged.
 * @example throw classifyModelError(error, 'planner', { secrets: [process.env.OPENAI_API_KEY] });
 */
export function classifyModelError(error: unknown, role: ModelCallRole, options: ClassifyModelErrorOptions = {}): unknown {
  if (PlanExecuteError.isInstance(error)) return error;
  const chain = errorChain(error);
  const apiCall = chain.find(isApiCallError);
  const status = apiCall?.statusCode;
  if (apiCall && typeof status === 'number' && status >= 400) return classifyStatus(apiCall, status, role, error, options);
  const url = apiCall?.url ?? chain.map((link) => (link as { url?: unknown }).url).find((value) => typeof value === 'string');
  const baseUrl = typeof url === 'string' ? baseUrlOf(url) : null;
  if (chain.some((link) => (link as { message?: unknown }).message === BLOCKED_PORT)) {
    return new ModelUnavailableError(role, baseUrl, BLOCKED_PORT_REASON, { cause: error });
  }
  const networkLinks = chain.filter((link) => networkCode(link) !== null);
  // An AggregateError (dual-stack connect) carries the code but no message; its members say more.
  const network = networkLinks.find((link) => String((link as { message?: unknown }).message ?? '').trim() !== '') ?? networkLinks[0];
  if (!network) return error;
  const code = networkCode(network)!;
  const reason = networkReason(network, code);
  if (DROPPED_CODES.has(code)) return new ModelCallFailedError(role, null, null, reason, { cause: error });
  return new ModelUnavailableError(role, baseUrl, reason, { cause: error });
}

function classifyStatus(apiCall: ApiCallErrorLike, status: number, role: ModelCallRole, cause: unknown, options: ClassifyModelErrorOptions): PlanExecuteError {
  const message = redactSecrets(providerMessage(apiCall, status), options.secrets ?? []);
  if (TRANSIENT_CLIENT_STATUSES.has(status) || status >= 500) {
    const retryAfter = retryAfterMs(apiCall.responseHeaders, (options.now ?? Date.now)());
    return new ModelCallFailedError(role, status, retryAfter, message, { cause });
  }
  return new ModelRequestRejectedError(role, status, message, { cause });
}

/**
 * The error and everything it wraps, outermost first: `lastError` (the AI SDK's RetryError),
 * `cause` (MastraError, APICallError, undici's `fetch failed`) and `errors` (RetryError,
 * AggregateError of a dual-stack connect). Bounded, and safe against cycles.
 */
function errorChain(error: unknown): object[] {
  const chain: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 32) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || chain.includes(current)) continue;
    chain.push(current);
    const links = current as { lastError?: unknown; cause?: unknown; errors?: unknown };
    queue.push(links.lastError, links.cause, ...(Array.isArray(links.errors) ? links.errors : []));
  }
  return chain;
}

function isApiCallError(value: object): value is ApiCallErrorLike {
  return (value as Record<symbol, unknown>)[API_CALL_ERROR_MARKER] === true || (value as { name?: unknown }).name === 'AI_APICallError';
}

/** The network error code of one link, when it is one this module knows; else null. */
function networkCode(link: object): string | null {
  const code = (link as { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  const known = UNREACHABLE_CODES.has(code) || DROPPED_CODES.has(code) || TLS_CODES.has(code) || TLS_CODE_PREFIXES.test(code);
  return known ? code : null;
}

/** A short reason: Node's own message ("connect ECONNREFUSED 127.0.0.1:8080"), OpenSSL's reason text, plus the code when the message lacks it. */
function networkReason(link: object, code: string): string {
  const raw = String((link as { message?: unknown }).message ?? '').trim();
  // OpenSSL messages read "<hex>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:".
  const parts = raw.split(':');
  const message = parts[1] === 'error' && parts.length > 5 ? parts[5]! : raw;
  return message.includes(code) ? message : `${message || 'network error'} (${code})`;
}

/**
 * The base URL the SDK was configured with: the endpoint called, without its endpoint path,
 * query, fragment or credentials (`http://127.0.0.1:8080/v1/chat/completions` → `http://127.0.0.1:8080/v1`).
 */
export function baseUrlOf(endpoint: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  const path = url.pathname.replace(/\/+$/, '');
  const suffix = ENDPOINT_SUFFIXES.find((candidate) => path.endsWith(candidate));
  return url.origin + (suffix ? path.slice(0, -suffix.length) : path.slice(0, path.lastIndexOf('/')));
}

/** What the provider said: the message of a known error body shape, else the body itself, else the SDK's message (the status text). */
function providerMessage(apiCall: ApiCallErrorLike, status: number): string {
  const body = typeof apiCall.responseBody === 'string' ? apiCall.responseBody.trim() : '';
  if (body === '') return apiCall.message || `HTTP ${status}`;
  const known = knownBodyMessage(parseJson(body));
  if (known !== null) return known;
  const oneLine = body.replace(/\s+/g, ' ');
  return oneLine.length > MAX_RAW_BODY_CHARS ? `${oneLine.slice(0, MAX_RAW_BODY_CHARS)}…` : oneLine;
}

/**
 * `{ error: { message } }` (OpenAI, Ollama's /v1, LM Studio, llama.cpp), `{ error: "…" }`
 * (Ollama's native API), `{ message }` (vLLM), `{ detail: "…" }` (FastAPI servers).
 */
function knownBodyMessage(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const { error, message, detail } = body;
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  if (typeof message === 'string') return message;
  return typeof detail === 'string' ? detail : null;
}

/**
 * `text` with API keys masked. OpenAI's own 401 message already masks the key it echoes
 * (`sk-abc12***…***wxyz`) and is kept as it is; an unmasked `sk-…` key (a proxy that echoes it),
 * a `Bearer` token and every given secret are masked to their last four characters at most.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let redacted = text;
  // Short secrets are skipped: masking a 3-letter key would mangle ordinary words.
  for (const secret of secrets) if (secret && secret.length >= 8) redacted = redacted.split(secret).join(mask(secret));
  return redacted
    .replace(/\b(sk-(?:[a-z]+-)?)([A-Za-z0-9_-]{16,})/g, (_match, prefix: string, rest: string) => `${prefix}${mask(rest)}`)
    .replace(/\b(Bearer\s+)(?!\*)[^\s"',]+/gi, '$1****');
}

function mask(secret: string): string {
  return `****${secret.length >= 16 ? secret.slice(-4) : ''}`;
}

/**
 * The delay the server asked for: `retry-after-ms` (milliseconds, OpenAI's), else `Retry-After`
 * (delay-seconds or an HTTP date, RFC 9110 §10.2.3); null when neither holds a usable value.
 */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | null {
  const milliseconds = headerValue(headers, 'retry-after-ms');
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // Only a value with a month or weekday name is a date: Date.parse('-1') is a valid year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1].trim() : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
