import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, ModelOutputError } from '../../src/engine/errors.ts';
import { planAndApprove, planRun, releaseRun, startRun } from '../../src/engine/phases.ts';
import { driveRun } from '../../src/engine/run-plan.ts';
import type { PlanStep } from '../../src/engine/plan-schema.ts';
import type { PlanRequest } from '../../src/engine/ports.ts';
import { resolveSettings } from '../../src/engine/settings.ts';
import { MAX_PLAN_TEXT_CHARS, MAX_STEP_ID_CHARS } from '../../src/engine/validate-plan.ts';
import { EXECUTOR_USAGE, PLANNER_USAGE, sleep } from '../helpers/fake-roles.ts';
import { plan, step, usage } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';
import { until } from '../helpers/until.ts';

// `streamPlan` (issue 11, Wanted 5): steps start while the planner is still writing; a step of
// the made plan identical to a started one takes that attempt as its first.

/**
 * A harness whose planner writes `written` one by one through `onStepWritten`, waits until the
 * executor's log holds every line of `waitFor`, logs "plan returned" there and answers `answer`.
 */
function streamedRun(
  written: readonly PlanStep[],
  waitFor: readonly string[],
  answer: unknown,
  options: Parameters<typeof harness>[0] & { lingerMs?: number } = {},
) {
  const planner = async (request: PlanRequest) => {
    for (const one of written) request.onStepWritten?.(structuredClone(one));
    const { log } = run.executor;
    await until(`the executor log to hold ${waitFor.join(', ')}`, () => (waitFor.every((line) => log.includes(line)) ? true : undefined), 5_000, 2);
    if (options.lingerMs) await sleep(options.lingerMs);
    log.push('plan returned');
    return { value: structuredClone(answer) as never, usage: PLANNER_USAGE };
  };
  const run = harness({ ...options, plans: [planner], settings: { streamPlan: true, ...options.settings } });
  return run;
}

describe('streamPlan: steps start while the plan is written', () => {
  it('starts the written root steps before the plan is made and runs each step once, the events in their usual order', async () => {
    const [a, b, c] = [step('a'), step('b'), step('c', ['a'])];
    const run = streamedRun([a, b], ['end a', 'end b'], plan([a, b, c]));
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.executor.log).toEqual(['start a', 'start b', 'end a', 'end b', 'plan returned', 'start c', 'end c']);
    expect(['a', 'b', 'c'].map((id) => run.executor.callCount(id))).toEqual([1, 1, 1]);
    expect(run.types()).toEqual([
      'run-started',
      'plan-created',
      'step-started',
      'step-started',
      'step-finished',
      'step-finished',
      'step-started',
      'step-finished',
      'synthesis-finished',
      'run-finished',
    ]);
    expect(run.ofType('step-started').map((event) => [event.stepId, event.early ?? false])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.status, attempt.output])).toEqual([
      ['a', 'done', 'a out'],
      ['b', 'done', 'b out'],
      ['c', 'done', 'c out'],
    ]);
    // One planner call, three executor calls, one synthesis: nothing spent twice.
    expect(result.usage).toMatchObject(usage(100 + 3 * 50 + 30, 20 + 3 * 10 + 5));
  });

  it('starts a written step once its dependencies finished early, with their outputs as its inputs', async () => {
    const [a, b] = [step('a'), step('b', ['a'])];
    const run = streamedRun([a, b], ['end b'], plan([a, b]));
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.executor.log).toEqual(['start a', 'end a', 'start b', 'end b', 'plan returned']);
    expect(run.executor.calls.map(({ request }) => [request.step.id, request.dependencies, request.attempt])).toEqual([
      ['a', [], 1],
      ['b', [{ id: 'a', description: 'Do a', output: 'a out' }], 1],
    ]);
    expect(run.ofType('step-started').map((event) => event.early)).toEqual([true, true]);
  });

  it('runs a step again when the plan changed it, counts what the dropped attempt spent, and drops what depended on it', async () => {
    const [a, b] = [step('a'), step('b', ['a'])];
    const changed = step('a', [], { description: 'Do a another way' });
    const run = streamedRun([a, b], ['end b'], plan([changed, b]));
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.executor.calls.map(({ request }) => [request.step.id, request.step.description])).toEqual([
      ['a', 'Do a'],
      ['b', 'Do b'],
      ['a', 'Do a another way'],
      ['b', 'Do b'],
    ]);
    expect(run.ofType('step-started').map((event) => event.early)).toEqual([undefined, undefined]);
    // Four executor replies were paid for, two of them dropped.
    expect(result.usage.byRole.executor).toEqual(usage(4 * 50, 4 * 10));
    expect(result.usage).toMatchObject(usage(100 + 4 * 50 + 30, 20 + 4 * 10 + 5));
  });

  it('aborts an early attempt still running when the plan leaves its step out', async () => {
    const run = streamedRun([step('a')], ['start a'], plan([step('b')]), { script: { a: [{ hang: 'until-aborted' }] } });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.executor.calls.map((call) => [call.stepId, call.request.abortSignal.aborted])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(result.usage.byRole.executor).toEqual(EXECUTOR_USAGE);
  });

  it('starts no direct step early, nor more steps than `concurrency` at once', async () => {
    const direct = step('d', [], { tool: 'search', toolArgs: { q: 'x' } });
    const [a, b, c] = [step('a'), step('b'), step('c')];
    // b runs until c has ended: c can only have started once a ended.
    const untilCEnds = async () => {
      await until('c to end', () => (run.executor.log.includes('end c') ? true : undefined), 5_000, 2);
      return { value: { success: true, output: 'b out', error: null }, usage: EXECUTOR_USAGE, toolCalls: 0 };
    };
    const run = streamedRun([direct, a, b, c], ['end b', 'end c'], plan([a, b, c]), { settings: { concurrency: 2 }, script: { b: [untilCEnds] } });
    await run.run();
    // c waits for a to end: two in flight at most.
    expect(run.executor.log).toEqual(['start a', 'start b', 'end a', 'start c', 'end c', 'end b', 'plan returned']);
    expect(run.ofType('step-started').map((event) => [event.stepId, event.early ?? false])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
  });

  it('takes in no more steps than maxPlanSteps', async () => {
    const [a, b, c] = [step('a'), step('b'), step('c')];
    const run = streamedRun([a, b, c], ['end a', 'end b'], plan([a, b]), { settings: { maxPlanSteps: 2 } });
    await run.run();
    expect(run.executor.log).toEqual(['start a', 'start b', 'end a', 'end b', 'plan returned']);
  });

  it('starts no step whose id or text the plan would be refused for: it runs only as planned again', async () => {
    const long = 'x'.repeat(MAX_PLAN_TEXT_CHARS + 1);
    const written = [step('a', [], { description: long }), step('b', [], { expectedOutput: long }), step('c'.repeat(MAX_STEP_ID_CHARS + 1)), step('d')];
    const run = streamedRun(written, ['end d'], plan([step('a'), step('b'), step('d')]));
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.executor.log).toEqual(['start d', 'end d', 'plan returned', 'start a', 'start b', 'end a', 'end b']);
    expect(run.executor.calls.map((call) => [call.stepId, call.request.step.description])).toEqual([
      ['d', 'Do d'],
      ['a', 'Do a'],
      ['b', 'Do b'],
    ]);
  });

  it('records an attempt taken over with the time it really started', async () => {
    const run = streamedRun([step('a'), step('b')], ['end a'], plan([step('a'), step('b')]), { lingerMs: 40 });
    const result = await run.run();
    const created = Date.parse(run.ofType('plan-created')[0]!.timestamp);
    const first = result.steps.find((attempt) => attempt.stepId === 'a')!;
    expect(created - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(40);
    expect(first.durationMs).toBeGreaterThanOrEqual(40);
  });

  it('fails the attempt, not the planning, when the executor throws at once; the policy retries it', async () => {
    const run = streamedRun([step('a'), step('b')], ['end b'], plan([step('a'), step('b')]));
    const { execute } = run.executor;
    let calls = 0;
    run.input.executor.execute = (request) => {
      if (calls++ === 0) throw new Error('the executor broke at once');
      return execute(request);
    };
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(result.steps.map((attempt) => [attempt.stepId, attempt.attempt, attempt.status, attempt.error])).toEqual([
      ['a', 1, 'failed', 'the executor broke at once'],
      ['b', 1, 'done', null],
      ['a', 2, 'done', null],
    ]);
  });

  it('aborts the early attempts when planning fails, and the run ends failed', async () => {
    const log: string[] = [];
    const run: ReturnType<typeof harness> = harness({
      settings: { streamPlan: true, maxRetries: 0 },
      script: { a: [{ hang: 'until-aborted' }] },
      plans: [
        async (request: PlanRequest) => {
          request.onStepWritten?.(step('a'));
          await until('a to start', () => (run.executor.log.includes('start a') ? true : undefined), 5_000, 2);
          log.push('planner throws');
          throw new TypeError('the planner broke');
        },
      ],
    });
    const result = await run.run();
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'UNEXPECTED', message: 'The run failed unexpectedly: the planner broke' });
    expect(log).toEqual(['planner throws']);
    expect(run.executor.calls.map((call) => call.request.abortSignal.aborted)).toEqual([true]);
    expect(run.types()).toEqual(['run-started', 'run-finished']);
  });

  it('gives the planner no onStepWritten by default, nor to the other drivers: planAndApprove and planRun (the workflow), driveRun (the fleet)', async () => {
    const plain = harness({ plans: [plan([step('a')])] });
    await plain.run();
    expect(plain.planner.planRequests[0]!.onStepWritten).toBeUndefined();

    for (const drive of [planAndApprove, planRun, driveRun] as const) {
      const staged = harness({ plans: [plan([step('a')])], settings: { streamPlan: true } });
      await drive(await startRun(staged.input));
      expect(staged.planner.planRequests[0]!.onStepWritten).toBeUndefined();
    }
  });

  it('aborts and counts the attempts a driver leaves behind when it releases the run', async () => {
    const staged = streamedRun([step('a')], ['start a'], plan([step('a')]), { script: { a: [{ hang: 'until-aborted' }] } });
    const context = await startRun(staged.input);
    await planAndApprove(context, { early: true });
    expect(staged.executor.calls.map((call) => call.request.abortSignal.aborted)).toEqual([false]);
    await releaseRun(context);
    expect(staged.executor.calls.map((call) => call.request.abortSignal.aborted)).toEqual([true]);
  });

  it('starts nothing more once the budget is spent, counting what the early attempts spent', async () => {
    const chain = [step('a'), step('b', ['a']), step('c', ['b']), step('d', ['c'])];
    // 60 tokens an executor reply: a, then b (60 < 150), then c (120 < 150); not d (180).
    const run = streamedRun(chain, ['end c'], plan(chain), { settings: { budget: { maxTokens: 150 } }, lingerMs: 30 });
    const result = await run.run();
    expect(run.executor.log.filter((line) => line.startsWith('start'))).toEqual(['start a', 'start b', 'start c']);
    expect(result.status).toBe('aborted');
    expect(result.error?.code).toBe('BUDGET_EXCEEDED');
    // Every reply counted once: a taken over, b and c dropped at the end.
    expect(result.usage.byRole.executor).toEqual(usage(3 * 50, 3 * 10));
  });

  it('keeps to `concurrency` after the plan is made: a running early attempt holds its slot', async () => {
    const [p, q] = [step('p'), step('q')];
    const untilPlanned = async () => {
      await until('the plan', () => (run.executor.log.includes('plan returned') ? true : undefined), 5_000, 2);
      return { value: { success: true, output: 'q out', error: null }, usage: EXECUTOR_USAGE, toolCalls: 0 };
    };
    // Only q is written early (p, a direct step in the draft, is not).
    const draftP = step('p', [], { tool: 'search', toolArgs: { q: 'p' } });
    const run = streamedRun([draftP, q], ['start q'], plan([p, q]), { settings: { concurrency: 1 }, script: { q: [untilPlanned] } });
    await run.run();
    expect(run.executor.log).toEqual(['start q', 'plan returned', 'end q', 'start p', 'end p']);
  });

  it('keeps to `concurrency` when early attempts already failed: their retries take the free slots', async () => {
    const overloaded = { throws: new Error('overloaded') };
    const script = { a: [overloaded, { ok: 'a out' }], b: [overloaded, { ok: 'b out' }], c: [overloaded, { ok: 'c out' }] };
    const [a, b, c] = [step('a'), step('b'), step('c')];
    const run = streamedRun([a, b, c], ['end c'], plan([a, b, c]), { settings: { concurrency: 1, maxRetries: 1 }, script, lingerMs: 30 });
    const result = await run.run();
    expect(result.status).toBe('completed');
    let running = 0;
    let most = 0;
    for (const line of run.executor.log) {
      running += line.startsWith('start') ? 1 : line.startsWith('end') ? -1 : 0;
      most = Math.max(most, running);
    }
    expect([most, run.executor.calls.length]).toEqual([1, 6]);
    // The failed first attempts are recorded from when they really started, before the plan was made.
    const created = Date.parse(run.ofType('plan-created')[0]!.timestamp);
    const firsts = result.steps.filter((attempt) => attempt.attempt === 1);
    expect(firsts.map((attempt) => [attempt.stepId, attempt.status, created - Date.parse(attempt.startedAt) >= 30])).toEqual([
      ['a', 'failed', true],
      ['b', 'failed', true],
      ['c', 'failed', true],
    ]);
  });

  it('waits for early attempts that hold every slot rather than finding no step to start', async () => {
    // a2 and b2 started early and still run when the plan is made: 2 of 2 slots; a1 and b1 (ended) must wait for them.
    const [a1, b1, a2, b2] = [step('a1'), step('b1'), step('a2', ['a1']), step('b2', ['b1'])];
    const afterPlan = (id: string) => async () => {
      await until('the plan', () => (run.executor.log.includes('plan returned') ? true : undefined), 5_000, 2);
      await sleep(20);
      return { value: { success: true, output: `${id} out`, error: null }, usage: EXECUTOR_USAGE, toolCalls: 0 };
    };
    const run = streamedRun([a1, b1, a2, b2], ['start a2', 'start b2'], plan([a1, b1, a2, b2]), {
      settings: { concurrency: 2 },
      script: { a2: [afterPlan('a2')], b2: [afterPlan('b2')] },
    });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(['a1', 'b1', 'a2', 'b2'].map((id) => run.executor.callCount(id))).toEqual([1, 1, 1, 1]);
    expect(run.ofType('step-started').map((event) => [event.stepId, event.early])).toEqual([
      ['a1', true],
      ['b1', true],
      ['a2', true],
      ['b2', true],
    ]);
  });

  it('bounds an early attempt by the step time limit from its start', async () => {
    const run = streamedRun([step('a'), step('b')], ['start a'], plan([step('a'), step('b')]), {
      settings: { stepTimeoutMs: 50, maxRetries: 0 },
      script: { a: [{ hang: 'forever' }] },
      lingerMs: 10,
    });
    const result = await run.run();
    expect(result.steps.find((attempt) => attempt.stepId === 'a')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^Step "a" timed out after 50 ms/),
    });
  });

  it('reads an early reply it cannot use as the loop reads it: the attempt fails, nothing escapes the run', async () => {
    const unreadable = async () => ({ value: undefined as never, usage: EXECUTOR_USAGE, toolCalls: 0 });
    const run = streamedRun([step('a'), step('b')], ['end a'], plan([step('a'), step('b')]), { script: { a: [unreadable, { ok: 'a out' }] } });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(result.steps.filter((attempt) => attempt.stepId === 'a').map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 'failed'],
      [2, 'done'],
    ]);
  });

  it('counts a dropped attempt that threw a malformed answer, as the loop counts one', async () => {
    const malformed = new ModelOutputError('executor', '{"success": "yes"}', ['success: expected boolean'], usage(70, 7));
    const run = streamedRun([step('a'), step('b')], ['end a'], plan([step('a', [], { description: 'Do a better' }), step('b')]), {
      script: { a: [{ throws: malformed }, { ok: 'a out' }] },
    });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(result.usage.byRole.executor).toEqual(usage(70 + 2 * 50, 7 + 2 * 10));
    expect(run.ofType('model-called').map((event) => [event.stepId, event.error])).toEqual([['a', 'MODEL_OUTPUT_INVALID']]);
  });

  it("passes a dependency's meta on to an early dependant, as the loop does", async () => {
    const a = step('a', [], { meta: { ticket: 42 } });
    const run = streamedRun([a, step('b', ['a'])], ['end b'], plan([a, step('b', ['a'])]));
    await run.run();
    expect(run.executor.calls.map(({ request }) => request.dependencies)).toEqual([
      [],
      [{ id: 'a', description: 'Do a', output: 'a out', meta: { ticket: 42 } }],
    ]);
    expect(run.ofType('step-started').map((event) => event.early)).toEqual([true, true]);
  });

  it('aborts a waiting early attempt once a revision changes its step', async () => {
    const [a, b] = [step('a'), step('b', ['a'])];
    const revisedB = step('b', ['a'], { description: 'Do b another way' });
    const run = streamedRun([a, b], ['start b'], plan([step('x'), a, b]), {
      script: { x: [{ fail: 'x cannot be done' }], b: [{ hang: 'until-aborted' }, { ok: 'b out' }] },
      decisions: [{ action: 'revise', steps: [revisedB], rationale: 'Drop x; b another way.' }],
    });
    const result = await run.run();
    expect(result.status).toBe('completed');
    const bLines = run.executor.log.filter((line) => line.endsWith(' b'));
    expect(bLines).toEqual(['start b', 'end b', 'start b', 'end b']);
    expect(run.executor.calls.filter((call) => call.stepId === 'b').map((call) => [call.request.step.description, call.request.abortSignal.aborted])).toEqual([
      ['Do b', true],
      ['Do b another way', false],
    ]);
    // The first b ended (aborted) before the revised b started, not at the end of the run.
    expect(run.executor.log.indexOf('end b')).toBeLessThan(run.executor.log.lastIndexOf('start b'));
  });
});

describe('streamPlan: settings', () => {
  it('defaults to false and takes a boolean', () => {
    expect(resolveSettings().streamPlan).toBe(false);
    expect(resolveSettings({ streamPlan: true }).streamPlan).toBe(true);
    expect(() => resolveSettings({ streamPlan: 'yes' as never })).toThrow(new InvalidOptionsError('Expected `streamPlan` to be a boolean, got "yes" (string)'));
  });

  it('refuses approvePlan beside it: a plan must be approved before anything runs', () => {
    expect(() => resolveSettings({ streamPlan: true, approvePlan: () => true })).toThrow(
      new InvalidOptionsError('`streamPlan` starts steps before the plan is whole, and `approvePlan` must see the plan before anything runs: use one of them'),
    );
    expect(resolveSettings({ streamPlan: false, approvePlan: () => true }).streamPlan).toBe(false);
  });
});
