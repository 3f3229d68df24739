import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { eventStream } from '../../src/engine/event-stream.ts';
import type { PlanRunEvent, PlanRunListener } from '../../src/engine/events.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness, TWO_STEP_EVENTS } from '../helpers/run-harness.ts';

/** A start function running the harness' plan with the stream's listener and signal; remembers the run and its signal. */
function streamedRun(options: Parameters<typeof harness>[0]) {
  const { input } = harness(options);
  const seen: { signal?: AbortSignal; run?: Promise<PlanRunResult> } = {};
  const start = (listener: PlanRunListener, abortSignal: AbortSignal) => {
    seen.signal = abortSignal;
    seen.run = runPlan({ ...input, onEvent: listener, abortSignal });
    return seen.run;
  };
  return { start, seen };
}

describe('eventStream', () => {
  it('yields every event of the run, in order, ending with run-finished', async () => {
    const { start, seen } = streamedRun({ plans: [plan([step('a'), step('b', ['a'])])] });
    const events: PlanRunEvent[] = [];
    for await (const event of eventStream(start)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(TWO_STEP_EVENTS);
    const result = await seen.run!;
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'completed', result });
  });

  it('aborts the run signal when the loop is left early, and the run ends cancelled', async () => {
    const { start, seen } = streamedRun({ plans: [plan([step('a')])], script: { a: [{ hang: 'until-aborted' }] } });
    const types: string[] = [];
    for await (const event of eventStream(start)) {
      types.push(event.type);
      if (event.type === 'step-started') break;
    }
    expect(types).toEqual(['run-started', 'plan-created', 'step-started']);
    expect(seen.signal!.aborted).toBe(true);
    expect(seen.signal!.reason).toEqual(new Error('The event stream was closed before the run finished'));
    expect((await seen.run!).status).toBe('cancelled');
  });

  it.each([
    ['read to the end', false],
    ['left at run-finished', true],
  ])('does not abort the run signal when the stream is %s, even if start settles later', async (_name, breakAtEnd) => {
    let signal: AbortSignal | undefined;
    const start = async (listener: PlanRunListener, abortSignal: AbortSignal) => {
      signal = abortSignal;
      listener({ type: 'run-started', task: 't', runId: 'r', timestamp: new Date(0).toISOString() });
      listener({ type: 'run-finished', runId: 'r', timestamp: new Date(0).toISOString() } as PlanRunEvent);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const types: string[] = [];
    for await (const event of eventStream(start)) {
      types.push(event.type);
      if (breakAtEnd && event.type === 'run-finished') break;
    }
    expect(types).toEqual(['run-started', 'run-finished']);
    expect(signal!.aborted).toBe(false);
  });

  it('passes the caller signal through to the run', async () => {
    const controller = new AbortController();
    const { start, seen } = streamedRun({ plans: [plan([step('a')])], script: { a: [{ hang: 'until-aborted' }] } });
    const types: string[] = [];
    for await (const event of eventStream(start, controller.signal)) {
      types.push(event.type);
      if (event.type === 'step-started') controller.abort();
    }
    expect(types).toEqual(['run-started', 'plan-created', 'step-started', 'run-finished']);
    expect((await seen.run!).status).toBe('cancelled');
  });

  it('yields the events sent before a rejecting start, then rejects with its error', async () => {
    const error = new InvalidOptionsError('Expected `concurrency` to be an integer from 1 and up, got 0 (number)');
    const types: string[] = [];
    const iterate = async () => {
      const stream = eventStream(async (listener) => {
        listener({ type: 'run-started', task: 't', runId: 'r', timestamp: new Date(0).toISOString() });
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw error;
      });
      for await (const event of stream) types.push(event.type);
    };
    await expect(iterate()).rejects.toBe(error);
    expect(types).toEqual(['run-started']);
  });

  it('ends without an event when start resolves without emitting any', async () => {
    const events: PlanRunEvent[] = [];
    for await (const event of eventStream(async () => undefined)) events.push(event);
    expect(events).toEqual([]);
  });
});
