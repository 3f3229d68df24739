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
