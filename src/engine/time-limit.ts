/**
 * Settles like `promise`, or rejects with `onTimeout()` once `timeoutMs` pass first; the timer is
 * cleared either way, so a settled promise leaves nothing pending.
 */
export function withTimeLimit<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Resolves on the next turn of the event loop (a macrotask), so a loop of attempts that fail at
 * once still lets timers, I/O and abort signals run in between.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A signal that fires when `parent` does or `timeoutMs` pass; `clear()` stops the timer and detaches from `parent`. */
export interface TimeLimit {
  /** Fires on the parent's abort or at the time limit. */
  readonly signal: AbortSignal;
  /** Whether the time limit (not the parent) fired it. */
  readonly timedOut: () => boolean;
  /** Releases the timer and the listener; call it once the guarded work settled. */
  readonly clear: () => void;
}

/**
 * A time limit under `parent`. Unlike `AbortSignal.timeout`, whose timer (and everything the
 * signal holds) lives until it fires, this one is released by `clear()` as soon as the work is
 * done, so a long limit per call costs nothing once the call returned.
 */
export function timeLimit(parent: AbortSignal, timeoutMs: number): TimeLimit {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(parent.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`Timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
