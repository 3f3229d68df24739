import type { PlanRunEvent, PlanRunListener } from './events.ts';

/**
 * Turns a run that reports through a listener into an async iterable of its events, ending after
 * `run-finished`. Leaving the loop early (`break`) fires the run's abort signal. A run that
 * rejects (bad options) rejects the iteration with the same error.
 */
export async function* eventStream(
  start: (listener: PlanRunListener, abortSignal: AbortSignal) => Promise<unknown>,
  abortSignal?: AbortSignal,
): AsyncGenerator<PlanRunEvent, void, undefined> {
  const controller = new AbortController();
  const signal = abortSignal ? AbortSignal.any([abortSignal, controller.signal]) : controller.signal;
  const queue: PlanRunEvent[] = [];
  let wake: (() => void) | null = null;
  let settled = false;
  // run-finished is the natural end even if `start` has not settled yet: no abort then.
  let finished = false;
  let failure: { error: unknown } | null = null;
  const listener: PlanRunListener = (event) => {
    queue.push(event);
    wake?.();
  };
  start(listener, signal)
    .then(
      () => undefined,
      (error: unknown) => void (failure = { error }),
    )
    .finally(() => {
      settled = true;
      wake?.();
    });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        finished = event.type === 'run-finished';
        yield event;
        if (finished) return;
      } else if (failure) throw (failure as { error: unknown }).error;
      else if (settled) return;
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    if (!settled && !finished) controller.abort(new Error('The event stream was closed before the run finished'));
  }
}
