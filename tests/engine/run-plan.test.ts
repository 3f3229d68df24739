import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelOutputError } from '../../src/engine/errors.ts';
import { EXECUTOR_USAGE, PLANNER_USAGE, SYNTHESIZER_USAGE } from '../helpers/fake-roles.ts';
import { plan, step, usage } from '../helpers/plans.ts';
import { harness, TASK, TOOLS, TWO_STEP_EVENTS } from '../helpers/run-harness.ts';
import { until } from '../helpers/until.ts';

const doneStep = (id: string, dependsOn: string[] = [], output = `${id} out`, attempts = 1) => ({
  ...step(id, dependsOn),
  status: 'done',
  output,
  error: null,
  attempts,
});

const doneAttempt = (stepId: string, output = `${stepId} out`) => ({
  stepId,
  attempt: 1,
  status: 'done',
  output,
  error: null,
  retryable: false,
  toolCalls: 0,
  usage: EXECUTOR_USAGE,
  startedAt: expect.any(String),
  durationMs: expect.any(Number),
});

afterEach(() => vi.restoreAllMocks());

describe('runPlan: a plan that succeeds', () => {
  const twoSteps = plan([step('a'), step('b', ['a'])]);

  it('emits the events of a sequential run in order, each stamped with the run id', async () => {
    const run = harness({ plans: [twoSteps], settings: { concurrency: 1 } });
    await run.run();
    expect(run.types()).toEqual(TWO_STEP_EVENTS);
    expect(run.ofType('step-started').map(({ stepId, attempt, description }) => [stepId, attempt, description])).toEqual([
      ['a', 1, 'Do a'],
      ['b', 1, 'Do b'],
    ]);
    expect(run.events.every((event) => event.runId === 'run-1' && !Number.isNaN(Date.parse(event.timestamp)))).toBe(true);
  });

  it('resolves completed with the whole result', async () => {
    const run = harness({ plans: [twoSteps], settings: { concurrency: 1 } });
    const result = await run.run();
    expect(result).toEqual({
      runId: 'run-1',
      status: 'completed',
      task: TASK,
      initialPlan: twoSteps,
      plan: [doneStep('a'), doneStep('b', ['a'])],
      revisions: [],
      replanned: false,
      finalOutput: 'a: a out\nb: b out',
      steps: [doneAttempt('a'), doneAttempt('b')],
      usage: {
        ...usage(100 + 50 + 50 + 30, 20 + 10 + 10 + 5),
        byRole: { planner: PLANNER_USAGE, executor: usage(100, 20), synthesizer: SYNTHESIZER_USAGE },
      },
      repairs: {},
      warnings: [],
      durationMs: expect.any(Number),
      error: null,
    });
    expect(run.ofType('run-finished')).toEqual([expect.objectContaining({ status: 'completed', result, error: null })]);
  });

  it('asks each role with exactly what it needs', async () => {
    const run = harness({ plans: [twoSteps], settings: { concurrency: 1 } });
    await run.run();
    expect(run.planner.planRequests).toEqual([{ task: TASK, tools: TOOLS, maxPlanSteps: 10, feedback: [], abortSignal: expect.any(AbortSignal) }]);
    expect(run.executor.calls.map((call) => call.request)).toEqual([
      { task: TASK, step: step('a'), dependencies: [], attempt: 1, previousError: null, maxIterations: 5, abortSignal: expect.any(AbortSignal) },
      {
        task: TASK,
        step: step('b', ['a']),
        dependencies: [{ id: 'a', description: 'Do a', output: 'a out' }],
        attempt: 1,
        previousError: null,
        maxIterations: 5,
        abortSignal: expect.any(AbortSignal),
      },
    ]);
    expect(run.synthesizer.requests).toEqual([
      {
        task: TASK,
        goal: 'Reach the goal',
        steps: [
          { id: 'a', description: 'Do a', output: 'a out' },
          { id: 'b', description: 'Do b', output: 'b out' },
        ],
        abortSignal: expect.any(AbortSignal),
      },
    ]);
  });
});

describe('runPlan: concurrency', () => {
  it('overlaps independent steps and starts a dependant only after both ended', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c', ['a', 'b'])])],
      script: { a: [{ ok: 'A', delayMs: 30 }], b: [{ ok: 'B', delayMs: 50 }] },
    });
    expect((await run.run()).status).toBe('completed');
    expect(run.executor.log).toEqual(['start a', 'start b', 'end a', 'end b', 'start c', 'end c']);
    const [a, b, c] = run.executor.calls;
    expect(b!.startedAt).toBeLessThan(a!.endedAt!);
    expect(c!.startedAt).toBeGreaterThanOrEqual(Math.max(a!.endedAt!, b!.endedAt!));
  });

  it('starts a waiting step as soon as a slot frees up, never more than the limit at once', async () => {
    // a holds its slot until d has ended (a timer could fire late, after c's, on a loaded machine).
    const untilDEnds = async () => {
      await until('d to end', () => (run.executor.log.includes('end d') ? true : undefined), 5_000, 2);
      return { value: { success: true, output: 'A', error: null }, usage: EXECUTOR_USAGE, toolCalls: 0 };
    };
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c'), step('d')])],
      script: { a: [untilDEnds], b: [{ ok: 'B', delayMs: 20 }], c: [{ ok: 'C', delayMs: 20 }] },
      settings: { concurrency: 2 },
    });
    await run.run();
    expect(run.executor.log).toEqual(['start a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d', 'end a']);
  });

  it('runs strictly in plan order with concurrency 1', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c')])],
      script: { a: [{ ok: 'A', delayMs: 40 }], b: [{ ok: 'B', delayMs: 10 }] },
      settings: { concurrency: 1 },
    });
    await run.run();
    expect(run.executor.log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});

describe('runPlan: output and usage', () => {
  it('with synthesize: false, returns the output of the step that finished last and never calls the synthesizer', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b')])],
      script: { a: [{ ok: 'A', delayMs: 40 }], b: [{ ok: 'B' }] },
      settings: { synthesize: false },
    });
    const result = await run.run();
    expect(result.finalOutput).toBe('A');
    expect(run.synthesizer.requests).toEqual([]);
    expect(run.types()).not.toContain('synthesis-finished');
  });

  it('sums usage per role exactly, a malformed answer and a failed attempt included', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b')])],
      script: {
        a: [{ throws: new ModelOutputError('executor', '{oops', ['success: Required'], usage(5, 1)) }, { ok: 'A', usage: usage(7, 3) }],
        b: [{ throws: new Error('HTTP 500') }, { ok: 'B', usage: usage(11, 2) }],
      },
      settings: { concurrency: 1 },
    });
    const result = await run.run();
    expect(result.usage).toEqual({
      ...usage(100 + 5 + 7 + 11 + 30, 20 + 1 + 3 + 2 + 5),
      byRole: { planner: PLANNER_USAGE, executor: usage(5 + 7 + 11, 1 + 3 + 2), synthesizer: SYNTHESIZER_USAGE },
    });
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.attempt, attempt.status, attempt.usage])).toEqual([
      ['a', 1, 'failed', usage(5, 1)],
      ['a', 2, 'done', usage(7, 3)],
      ['b', 1, 'failed', usage(0, 0)],
      ['b', 2, 'done', usage(11, 2)],
    ]);
  });
});

describe('runPlan: listeners', () => {
  it('keeps going when the listener throws on every event', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = new Error('listener broke');
    const run = harness({
      plans: [plan([step('a')])],
      onEvent: () => {
        throw failure;
      },
    });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.types()).toEqual(['run-started', 'plan-created', 'step-started', 'step-finished', 'synthesis-finished', 'run-finished']);
    expect(logged.mock.calls).toEqual(run.events.map(() => ['[mastra-plan-execute] onEvent listener threw:', failure]));
  });

  it('keeps going when an async listener rejects', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = new Error('async listener broke');
    const run = harness({ plans: [plan([step('a')])], onEvent: async () => Promise.reject(failure) });
    const result = await run.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(result.status).toBe('completed');
    expect(logged.mock.calls).toEqual(run.events.map(() => ['[mastra-plan-execute] onEvent listener threw:', failure]));
  });
});
