import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/engine/errors.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';

// Fakes spend 120 tokens per planner call, 60 per executor call and 35 per synthesis.

describe('runPlan: token budget', () => {
  it('aborts with BUDGET_EXCEEDED before the first model call past the budget', async () => {
    const run = harness({ plans: [plan([step('a'), step('b'), step('c')])], settings: { concurrency: 1, budget: { maxTokens: 200 } } });
    const result = await run.run();
    expect(run.executor.calls.map(({ stepId }) => stepId)).toEqual(['a', 'b']);
    expect(run.synthesizer.requests).toEqual([]);
    expect(result).toMatchObject({
      status: 'aborted',
      finalOutput: 'b out',
      error: { code: 'BUDGET_EXCEEDED', message: 'Token budget spent: 240 of 200 tokens used' },
    });
    expect(result.usage.totalTokens).toBe(240);
    const error = run.ofType('run-finished')[0]!.error as BudgetExceededError;
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect({ usedTokens: error.usedTokens, maxTokens: error.maxTokens }).toEqual({ usedTokens: 240, maxTokens: 200 });
    expect(error.snapshot!.steps.map(({ id, status }) => `${id}:${status}`)).toEqual(['a:done', 'b:done', 'c:pending']);
  });

  it('refuses the synthesis call once the steps spent the budget exactly', async () => {
    const run = harness({ plans: [plan([step('a')])], settings: { budget: { maxTokens: 180 } } });
    const result = await run.run();
    expect(run.synthesizer.requests).toEqual([]);
    expect(result).toMatchObject({ status: 'aborted', finalOutput: 'a out', error: { code: 'BUDGET_EXCEEDED' } });
  });

  it('refuses the replanner call once the budget is spent', async () => {
    const run = harness({ plans: [plan([step('a')])], script: { a: [{ fail: 'gone' }] }, settings: { budget: { maxTokens: 150 } } });
    const result = await run.run();
    expect(run.planner.replanRequests).toEqual([]);
    expect(result.error).toEqual({ code: 'BUDGET_EXCEEDED', message: 'Token budget spent: 180 of 150 tokens used' });
  });

  it('runs no step when the plan alone spent the budget', async () => {
    const run = harness({ plans: [plan([step('a')])], settings: { budget: { maxTokens: 100 } } });
    expect((await run.run()).error?.code).toBe('BUDGET_EXCEEDED');
    expect(run.executor.calls).toEqual([]);
  });
});

describe('runPlan: cancellation', () => {
  it('ends cancelled mid-step: the step goes back to pending and the executor signal fires', async () => {
    const controller = new AbortController();
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { b: [{ hang: 'until-aborted' }] },
      abortSignal: controller.signal,
      onEvent: (event) => void (event.type === 'step-started' && event.stepId === 'b' && setTimeout(() => controller.abort(), 10)),
    });
    const result = await run.run();
    expect(result).toMatchObject({
      status: 'cancelled',
      finalOutput: 'a out',
      error: { code: 'RUN_CANCELLED', message: 'The run was cancelled' },
    });
    expect(result.plan.map(({ id, status, attempts }) => [id, status, attempts])).toEqual([
      ['a', 'done', 1],
      ['b', 'pending', 1],
    ]);
    expect(result.steps.map(({ stepId, status, error }) => [stepId, status, error])).toEqual([
      ['a', 'done', null],
      ['b', 'cancelled', 'The run was cancelled'],
    ]);
    expect(run.executor.calls[1]!.request.abortSignal.aborted).toBe(true);
    expect(run.types().slice(-2)).toEqual(['step-started', 'run-finished']);
  });

  it('cuts off an executor that ignores its signal', async () => {
    const controller = new AbortController();
    const run = harness({
      plans: [plan([step('a')])],
      script: { a: [{ hang: 'forever' }] },
      abortSignal: controller.signal,
      onEvent: (event) => void (event.type === 'step-started' && setTimeout(() => controller.abort(), 10)),
    });
    const result = await run.run();
    expect(result.status).toBe('cancelled');
    expect(run.executor.calls[0]!.endedAt).toBeNull();
  });

  it('starts no further step once the signal fired between steps', async () => {
    const controller = new AbortController();
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      settings: { concurrency: 1 },
      abortSignal: controller.signal,
      onEvent: (event) => void (event.type === 'step-finished' && controller.abort()),
    });
    const result = await run.run();
    expect(result.status).toBe('cancelled');
    expect(run.executor.calls.map((call) => call.request.step.id)).toEqual(['a']);
    expect(result.plan.map(({ id, status }) => [id, status])).toEqual([
      ['a', 'done'],
      ['b', 'pending'],
    ]);
  });

  it('makes no model call when the signal fired before the run', async () => {
    const run = harness({ plans: [plan([step('a')])], abortSignal: AbortSignal.abort() });
    const result = await run.run();
    expect(result).toMatchObject({ status: 'cancelled', initialPlan: null, error: { code: 'RUN_CANCELLED' } });
    expect(run.planner.planRequests).toEqual([]);
  });

  it('leaves no abort listener on the caller signal after a run', async () => {
    const controller = new AbortController();
    const run = harness({ plans: [plan([step('a'), step('b')])], abortSignal: controller.signal });
    expect((await run.run()).status).toBe('completed');
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });
});

describe('runPlan: step timeout', () => {
  it.each(['until-aborted', 'forever'] as const)('reports a StepTimeoutError as retryable and retries the step (executor that hangs %s)', async (hang) => {
    const run = harness({ plans: [plan([step('a')])], script: { a: [{ hang }, { ok: 'A' }] }, settings: { stepTimeoutMs: 30 } });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(result.steps.map(({ status, error, retryable }) => ({ status, error, retryable }))).toEqual([
      { status: 'failed', error: 'Step "a" timed out after 30 ms', retryable: true },
      { status: 'done', error: null, retryable: false },
    ]);
    expect(run.ofType('step-retried').map(({ attempt, error }) => ({ attempt, error }))).toEqual([{ attempt: 2, error: 'Step "a" timed out after 30 ms' }]);
    expect(run.executor.calls[0]!.request.abortSignal.aborted).toBe(true);
    expect(run.executor.calls.map(({ request }) => request.previousError)).toEqual([null, 'Step "a" timed out after 30 ms']);
  });
});
