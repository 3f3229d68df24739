import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelCallFailedError, ModelOutputError, StepTimeoutError } from '../../src/engine/errors.ts';
import { RETRY_AFTER_MAX_MS, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, retryDelayMs, sleep } from '../../src/engine/retry-delay.ts';

const never = () => 0;
const always = () => 0.999_999;
const half = () => 0.5;
const failed = (retryAfterMs: number | null) => new ModelCallFailedError('executor', 429, retryAfterMs, 'slow down');

describe('retryDelayMs', () => {
  it('starts from a 500 ms base, caps at 30 s and limits a Retry-After to 60 s', () => {
    expect([RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, RETRY_AFTER_MAX_MS]).toEqual([500, 30_000, 60_000]);
  });

  it.each<[number, number, number]>([
    [1, 250, 500],
    [2, 500, 1000],
    [3, 1000, 2000],
    [4, 2000, 4000],
    [7, 15_000, 30_000],
    [8, 15_000, 30_000],
    [60, 15_000, 30_000],
    [5000, 15_000, 30_000],
  ])('after attempt %i waits between %i and %i ms (equal jitter)', (attempt, lowest, highest) => {
    expect(retryDelayMs(failed(null), attempt, never)).toBe(lowest);
    expect(retryDelayMs(failed(null), attempt, always)).toBe(highest);
  });

  it('puts the random half of the backoff on top of the fixed half', () => {
    expect(retryDelayMs(failed(null), 3, half)).toBe(1500);
    expect(retryDelayMs(failed(null), 3, () => 0.25)).toBe(1250);
  });

  it.each<[string, unknown]>([
    ['a timeout', new StepTimeoutError('s1', 1000)],
    ['a malformed answer', new ModelOutputError('executor', 'x', ['bad'])],
    ['an unknown error', new Error('boom')],
  ])('backs off the same way after %s', (_label, error) => {
    expect(retryDelayMs(error, 2, half)).toBe(750);
  });

  it.each<[number | null, number]>([
    [1000, 1000],
    [0, 0],
    [59_999, 59_999],
    [60_000, 60_000],
    [3_600_000, 60_000],
  ])("waits exactly the server's retryAfterMs %s (capped): %i ms, without jitter", (retryAfterMs, expected) => {
    const random = vi.fn(half);
    expect(retryDelayMs(failed(retryAfterMs), 5, random)).toBe(expected);
    expect(random).not.toHaveBeenCalled();
  });

  it.each([0, -3, Number.NaN, 1.9])('treats attempt %s as attempt 1 (or its whole part)', (attempt) => {
    expect(retryDelayMs(failed(null), attempt, always)).toBe(500);
  });

  it.each([-1, 2])('clamps a random source that returns %s', (value) => {
    expect(retryDelayMs(failed(null), 1, () => value)).toBe(value < 0 ? 250 : 500);
  });
});

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after the delay and removes its abort listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let done = false;
    const sleeping = sleep(1000, controller.signal).then(() => {
      done = true;
    });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;

    expect(done).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves early, without rejecting, when the signal aborts, and clears its timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = sleep(30_000, controller.signal);

    controller.abort(new Error('stop'));

    await expect(sleeping).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once for a signal already aborted, adding no listener and no timer', async () => {
    vi.useFakeTimers();
    const signal = AbortSignal.abort();
    await expect(sleep(5000, signal)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it.each([0, -5, Number.NaN])('resolves at once for %s ms', async (ms) => {
    vi.useFakeTimers();
    await expect(sleep(ms)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits without a signal', async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = sleep(200).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(199);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });
});
