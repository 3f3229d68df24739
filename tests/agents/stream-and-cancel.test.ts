import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, error, scriptPlan, text, toolCall, type ScriptedCall, type ScriptEntry } from '../../src/testing/index.ts';
import { addStep, createAddTool, eventTrail, recordEvents, succeed } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

function twoStepRun() {
  const planner = createScriptedModel([scriptPlan(plan([addStep('s1'), step('s2', ['s1'])])), text('All done.')], { name: 'planner' });
  const executor = createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('sum is 3'), succeed('doubled is 6')], { name: 'executor' });
  const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool } });
  return { planner, executor, agent };
}

/** Resolves 'aborted' when `signal` fires, or 'timed out' after `ms`. */
function abortOrTimeout(signal: AbortSignal | undefined, ms: number): Promise<'aborted' | 'timed out'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timed out'), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve('aborted');
    });
  });
}

/** Something that waits for an abort signal: `started` when it begins, `settled` with how the wait ended. */
function abortWatch() {
  let markStarted!: () => void;
  let markSettled!: (outcome: 'aborted' | 'timed out') => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const settled = new Promise<'aborted' | 'timed out'>((resolve) => (markSettled = resolve));
  const wait = async (signal: AbortSignal | undefined, ms = 5_000) => {
    markStarted();
    markSettled(await abortOrTimeout(signal, ms));
  };
  return { wait, started, settled };
}

/** A script entry that waits for its call's abort signal, then fails as providers do on abort. */
function waitForAbort() {
  const watch = abortWatch();
  const entry: ScriptEntry = async ({ options }: ScriptedCall) => {
    await watch.wait(options.abortSignal);
    return error(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
  };
  return { entry, started: watch.started, settled: watch.settled };
}

describe('PlanAndExecute.stream', () => {
  it('yields the same events as onEvent and ends with run-finished', async () => {
    const viaListener = twoStepRun();
    const { events: listened, onEvent } = recordEvents();
    await viaListener.agent.run('Add then double', { onEvent });
    const viaStream = twoStepRun();

    const streamed: PlanRunEvent[] = [];
    for await (const event of viaStream.agent.stream('Add then double')) streamed.push(event);

    expect(eventTrail(streamed)).toEqual(eventTrail(listened));
    expect(eventTrail(streamed)).toEqual([
      'run-started',
      'plan-created',
      'step-started:s1',
      'step-finished:s1',
      'step-started:s2',
      'step-finished:s2',
      'synthesis-finished',
      'run-finished',
    ]);
    const finished = streamed.at(-1);
    expect(finished?.type === 'run-finished' && [finished.status, finished.result.finalOutput]).toEqual(['completed', 'All done.']);
    expect([viaStream.planner.remaining, viaStream.executor.remaining]).toEqual([0, 0]);
  });

  it('cancels the run when the loop leaves the stream early', async () => {
    const waiting = waitForAbort();
    const planner = createScriptedModel([scriptPlan(plan([step('s1')]))], { name: 'planner' });
    const executor = createScriptedModel([waiting.entry], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor });

    const seen: string[] = [];
    for await (const event of agent.stream('Reach the goal')) {
      seen.push(event.type);
      if (event.type === 'step-started') {
        await waiting.started;
        break;
      }
    }

    expect(await waiting.settled).toBe('aborted');
    expect(seen).toEqual(['run-started', 'model-called', 'plan-created', 'step-started']);
    expect([planner.calls.length, executor.calls.length]).toEqual([1, 1]);
  });
});

describe('PlanAndExecute cancellation', () => {
  it('resolves cancelled, with the running step back to pending, when the signal fires during a model call', async () => {
    const waiting = waitForAbort();
    const planner = createScriptedModel([scriptPlan(plan([step('s1'), step('s2', ['s1'])]))], { name: 'planner' });
    const executor = createScriptedModel([waiting.entry], { name: 'executor' });
    const controller = new AbortController();
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor });

    const running = agent.run('Reach the goal', { abortSignal: controller.signal, onEvent });
    await waiting.started;
    controller.abort(new Error('The user pressed stop'));
    const result = await running;

    expect(result.status).toBe('cancelled');
    expect(result.error).toEqual({ code: 'RUN_CANCELLED', message: 'The run was cancelled' });
    expect(result.plan.map((tracked) => [tracked.id, tracked.status, tracked.attempts, tracked.output])).toEqual([
      ['s1', 'pending', 1, null],
      ['s2', 'pending', 0, null],
    ]);
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.status, attempt.error, attempt.retryable])).toEqual([
      ['s1', 'cancelled', 'The run was cancelled', false],
    ]);
    expect(result.finalOutput).toBe('');
    expect(eventTrail(events)).toEqual(['run-started', 'plan-created', 'step-started:s1', 'run-finished']);
    // The signal reached the model call itself, so a real provider would stop its request.
    expect(await waiting.settled).toBe('aborted');
    expect([planner.calls.length, executor.calls.length, executor.remaining]).toEqual([1, 1, 0]);
  });

  it('passes the abort signal down to a running tool', async () => {
    const watch = abortWatch();
    const slow = createTool({
      id: 'slow',
      description: 'Takes its time',
      inputSchema: z.object({}),
      execute: async (_input, context) => {
        await watch.wait(context?.abortSignal);
        return { ok: true };
      },
    });
    const planner = createScriptedModel([scriptPlan(plan([step('s1', [], { toolHint: 'slow' })]))], { name: 'planner' });
    const executor = createScriptedModel([toolCall('slow', {}), succeed('unused')], { name: 'executor' });
    const controller = new AbortController();
    const agent = new PlanAndExecute({ planner, executor, tools: { slow } });

    const running = agent.run('Reach the goal', { abortSignal: controller.signal });
    await watch.started;
    controller.abort();
    const result = await running;

    expect(result.status).toBe('cancelled');
    expect(result.plan).toMatchObject([{ id: 's1', status: 'pending' }]);
    expect(await watch.settled).toBe('aborted');
    expect(executor.calls).toHaveLength(1);
  });

  it('resolves cancelled without any model call when the signal has already fired', async () => {
    const planner = createScriptedModel([], { name: 'planner' });
    const executor = createScriptedModel([], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor });

    const result = await agent.run('Reach the goal', { abortSignal: AbortSignal.abort() });

    expect(result.status).toBe('cancelled');
    expect(result.error).toEqual({ code: 'RUN_CANCELLED', message: 'The run was cancelled' });
    expect(result.initialPlan).toBeNull();
    expect([planner.calls.length, executor.calls.length]).toEqual([0, 0]);
  });

  it('retries a step attempt that runs past stepTimeoutMs, aborting each model call', async () => {
    const [first, second] = [waitForAbort(), waitForAbort()];
    const planner = createScriptedModel([scriptPlan(plan([step('s1')]))], { name: 'planner' });
    const executor = createScriptedModel([first.entry, second.entry], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, stepTimeoutMs: 50, maxRetries: 1, replanOnFailure: false });

    const result = await agent.run('Reach the goal');

    const timedOut = 'Step "s1" timed out after 50 ms';
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'STEP_FAILED', message: `Step "s1" failed and replanning is off: ${timedOut}` });
    expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable])).toEqual([
      [1, 'failed', timedOut, true],
      [2, 'failed', timedOut, true],
    ]);
    expect([await first.settled, await second.settled]).toEqual(['aborted', 'aborted']);
    expect([executor.calls.length, executor.remaining, planner.remaining]).toEqual([2, 0, 0]);
  });
});
