/**
 * Agent settings every role agent of this library gets.
 * `maxRetries: 0`: Mastra's own retry of a failed model call (up to `maxRetries` inside one
 * `generate`) stays off, so a 429 or 5xx reaches the engine at once, which retries it with backoff
 * and `Retry-After` within the run's `maxRetries`; a 4xx is never re-sent. An Agent also ignores a
 * per-call `modelSettings.maxRetries` once it has its own value.
 */
export const AGENT_DEFAULTS = Object.freeze({ maxRetries: 0 });
