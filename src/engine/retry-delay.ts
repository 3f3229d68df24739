import { isPlanExecuteError } from './errors.ts';

/** The backoff before the first retry, before jitter. */
export const RETRY_BASE_DELAY_MS = 500;
/** The longest backoff of our own, however many attempts failed. */
export const RETRY_MAX_DELAY_MS = 30_000;
/**
 * The longest wait a server's `Retry-After` can impose. A rate limit asking for more than a
 * minute is better reported than slept through (and a hostile or broken header cannot stall the
 * run); Mastra caps it at 30 s for its own retries.
 */
export const RETRY_AFTER_MAX_MS = 60_000;

/**
 * How long to wait before re-running a model call after failed attempt number `attempt` (1 for
 * the first). A MODEL_CALL_FAILED error whose server said how long to wait (`retryAfterMs`) gets
 * exactly that, at most `RETRY_AFTER_MAX_MS`. Anything else gets an exponential backoff,
 * `RETRY_BASE_DELAY_MS · 2^(attempt-1)` capped at `RETRY_MAX_DELAY_MS`, with equal jitter: half
 * of it fixed, the other half random, so parallel steps spread out but never retry at once.
 * Pure: `random` is injectable.
 * @example await sleep(retryDelayMs(error, attempt), signal);
 */
export function retryDelayMs(error: unknown, attempt: number, random: () => number = Math.random): number {
  if (isPlanExecuteError(error, 'MODEL_CALL_FAILED') && error.retryAfterMs !== null) {
    return Math.min(Math.max(0, error.retryAfterMs), RETRY_AFTER_MAX_MS);
  }
  const failed = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const backoff = Math.min(RETRY_BASE_DELAY_MS * 2 ** (failed - 1), RETRY_MAX_DELAY_MS);
  const half = backoff / 2;
  // A random source outside [0, 1) must not produce a negative or doubled delay.
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.round(half + fraction * half);
}

/**
 * Waits `ms` milliseconds. Resolves early (does not reject) as soon as `signal` aborts, so the
 * caller's next cancellation check decides what an abort means; the abort listener is removed
 * either way. Resolves at once for `ms <= 0` or a signal already aborted.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms > 0) || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
