import { RunCancelledError } from './errors.ts';

/**
 * Settles like `promise`, but rejects as soon as `signal` aborts, so a role that ignores its
 * signal cannot hold the run. The abort listener is removed once either settles.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Nobody waits for `promise` any more: its later rejection must not go unhandled.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Throws RunCancelledError when `signal` has fired. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new RunCancelledError({ cause: signal.reason });
}
