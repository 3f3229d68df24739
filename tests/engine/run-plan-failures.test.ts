import { describe, expect, it } from 'vitest';
import type { ReplanDecision } from '../../src/engine/plan-schema.ts';
import type { ReplanRequest, StepRequest } from '../../src/engine/ports.ts';
import { EXECUTOR_USAGE, PLANNER_USAGE, sleep } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness, TASK, TOOLS } from '../helpers/run-harness.ts';

const skip = (rationale: string): ReplanDecision => ({ action: 'skip', steps: null, rationale });
const statuses = (result: { plan: readonly { id: string; status: string }[] }) => result.plan.map(({ id, status }) => `${id}:${status}`);

describe('runPlan: retryable errors', () => {
  it('re-runs a throwing step up to maxRetries with the error in its request, then asks the replanner', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { a: [{ throws: new Error('HTTP 503') }, { throws: new Error('HTTP 503') }, { throws: new Error('HTTP 503') }] },
      decisions: [skip('Not essential')],
      settings: { maxRetries: 2 },
    });
    const result = await run.run();
    expect(run.executor.callCount('a')).toBe(3);
    expect(run.executor.calls.slice(0, 3).map(({ request }) => [request.attempt, request.previousError])).toEqual([
      [1, null],
      [2, 'HTTP 503'],
      [3, 'HTTP 503'],
    ]);
    expect(run.ofType('step-retried').map(({ stepId, attempt, error }) => ({ stepId, attempt, error }))).toEqual([
      { stepId: 'a', attempt: 2, error: 'HTTP 503' },
      { stepId: 'a', attempt: 3, error: 'HTTP 503' },
    ]);
    expect(run.planner.replanRequests).toEqual([
      {
        task: TASK,
        goal: 'Reach the goal',
        tools: TOOLS,
        completed: [],
        failedStep: step('a'),
        error: 'HTTP 503',
        remaining: [step('b', ['a'])],
        otherFailures: [],
        maxPlanSteps: 10,
        feedback: [],
        abortSignal: expect.any(AbortSignal),
      },
    ]);
    expect(result.steps.map(({ stepId, status, retryable }) => [stepId, status, retryable])).toEqual([
      ['a', 'failed', true],
      ['a', 'failed', true],
      ['a', 'failed', true],
      ['b', 'done', false],
    ]);
  });
});

describe('runPlan: permanent failures', () => {
  it('sends success: false to the replanner at once, without a retry', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { b: [{ fail: 'Repository not found' }] },
      decisions: [{ action: 'abort', steps: null, rationale: 'Nothing to report without the repository.' }],
    });
    const result = await run.run();
    expect(run.executor.callCount('b')).toBe(1);
    expect(run.types()).not.toContain('step-retried');
    expect(run.planner.replanRequests.map(({ failedStep, error, completed }) => ({ failedStep, error, completed }))).toEqual([
      { failedStep: step('b', ['a']), error: 'Repository not found', completed: [{ id: 'a', description: 'Do a', output: 'a out' }] },
    ]);
    // Abort keeps the partial results.
    expect(result).toMatchObject({
      status: 'aborted',
      finalOutput: 'a out',
      replanned: false,
      error: { code: 'RUN_ABORTED', message: 'The run was aborted: Nothing to report without the repository.' },
    });
    expect(statuses(result)).toEqual(['a:done', 'b:failed']);
    expect(result.plan[1]).toMatchObject({ error: 'Repository not found', attempts: 1 });
    expect(run.synthesizer.requests).toEqual([]);
  });

  it('revise keeps done steps and their outputs and never re-runs them', async () => {
    const revised = [step('b2', ['a'], { description: 'Fetch from the mirror' }), step('c', ['b2'])];
    const run = harness({
      plans: [plan([step('a'), step('b', ['a']), step('c', ['b'])])],
      script: { b: [{ fail: 'no access' }] },
      decisions: [{ action: 'revise', steps: revised, rationale: 'Use the mirror.' }],
    });
    const result = await run.run();
    expect(['a', 'b', 'b2', 'c'].map((id) => run.executor.callCount(id))).toEqual([1, 1, 1, 1]);
    expect(run.executor.calls.find((call) => call.stepId === 'b2')!.request.dependencies).toEqual([{ id: 'a', description: 'Do a', output: 'a out' }]);
    expect(result.status).toBe('completed');
    expect(result.replanned).toBe(true);
    expect(statuses(result)).toEqual(['a:done', 'b2:done', 'c:done']);
    expect(result.revisions).toEqual([
      {
        revision: 1,
        kind: 'revise',
        reason: 'Use the mirror.',
        failedStepId: 'b',
        stepsBefore: [step('a'), step('b', ['a']), step('c', ['b'])],
        stepsAfter: [step('a'), ...revised],
      },
    ]);
    expect(run.ofType('plan-revised').map(({ revision }) => revision)).toEqual(result.revisions);
  });

  it('a revised step that reuses the failed id starts afresh: attempt 1, no previous error', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { b: [{ fail: 'no access' }, { ok: 'B' }] },
      decisions: [{ action: 'revise', steps: [step('b', ['a'], { description: 'Fetch from the mirror' })], rationale: 'Mirror.' }],
    });
    expect((await run.run()).status).toBe('completed');
    expect(
      run.executor.calls.filter((call) => call.stepId === 'b').map(({ request }) => [request.step.description, request.attempt, request.previousError]),
    ).toEqual([
      ['Do b', 1, null],
      ['Fetch from the mirror', 1, null],
    ]);
  });

  it('skip lets the dependants run with the skip reason as the dependency text', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { a: [{ fail: 'gone' }] },
      decisions: [skip('Not essential')],
    });
    const result = await run.run();
    expect(run.executor.calls[1]!.request.dependencies).toEqual([{ id: 'a', description: 'Do a', output: '(skipped: Not essential)' }]);
    expect(result.status).toBe('completed');
    expect(statuses(result)).toEqual(['a:skipped', 'b:done']);
    expect(result.plan[0]!.error).toBe('Not essential');
    expect(run.types().slice(4, 9)).toEqual(['replan-decided', 'step-skipped', 'plan-revised', 'step-started', 'step-finished']);
    expect(run.ofType('step-skipped').map(({ stepId, reason }) => [stepId, reason])).toEqual([['a', 'Not essential']]);
    expect(result.revisions.map(({ kind, failedStepId }) => [kind, failedStepId])).toEqual([['skip', 'a']]);
    expect(run.synthesizer.requests[0]!.steps).toEqual([{ id: 'b', description: 'Do b', output: 'b out' }]);
  });

  it('fails with STEP_FAILED once the replan budget is spent', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { a: [{ fail: 'broken' }], a2: [{ fail: 'still broken' }] },
      decisions: [{ action: 'revise', steps: [step('a2'), step('b', ['a2'])], rationale: 'Try a2.' }],
      settings: { maxReplans: 1 },
    });
    const result = await run.run();
    expect(run.planner.replanRequests).toHaveLength(1);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'STEP_FAILED', message: 'Step "a2" failed and the replan budget (1) is spent: still broken' });
    expect(statuses(result)).toEqual(['a2:failed', 'b:pending']);
    expect(run.ofType('run-finished')[0]!.error).toMatchObject({ name: 'StepFailedError', stepId: 'a2' });
  });

  it('fails at the first failure when replanOnFailure is false', async () => {
    const run = harness({ plans: [plan([step('a'), step('b', ['a'])])], script: { a: [{ fail: 'gone' }] }, settings: { replanOnFailure: false } });
    const result = await run.run();
    expect(run.planner.replanRequests).toEqual([]);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'STEP_FAILED', message: 'Step "a" failed and replanning is off: gone' });
    expect(run.executor.callCount('b')).toBe(0);
  });
});

describe('runPlan: failures in parallel', () => {
  it('lets the running steps finish, then handles each failure one after another', async () => {
    const timeline: string[] = [];
    const outcome =
      (line: string, success: boolean, text: string, delayMs = 0) =>
      async (request: StepRequest) => {
        await sleep(delayMs, request.abortSignal);
        timeline.push(line);
        return { value: { success, output: success ? text : '', error: success ? null : text }, usage: EXECUTOR_USAGE, toolCalls: 0 };
      };
    const slowSkip = (reason: string) => async (request: ReplanRequest) => {
      timeline.push(`replan ${request.failedStep.id} start`);
      await sleep(20);
      timeline.push(`replan ${request.failedStep.id} end`);
      return { value: skip(reason), usage: PLANNER_USAGE };
    };
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c', ['a', 'b'])])],
      script: {
        a: [outcome('a fails', false, 'A broke')],
        b: [outcome('b fails', false, 'B broke', 30)],
        c: [outcome('c runs', true, 'C')],
      },
      decisions: [slowSkip('A not needed'), slowSkip('B not needed')],
    });
    const result = await run.run();
    expect(timeline).toEqual(['a fails', 'b fails', 'replan a start', 'replan a end', 'replan b start', 'replan b end', 'c runs']);
    // The first decision is taken knowing that b failed too; the second no longer sees a.
    expect(run.planner.replanRequests.map(({ failedStep, error, otherFailures }) => [failedStep.id, error, otherFailures])).toEqual([
      ['a', 'A broke', [{ stepId: 'b', error: 'B broke' }]],
      ['b', 'B broke', []],
    ]);
    expect(result.status).toBe('completed');
    expect(statuses(result)).toEqual(['a:skipped', 'b:skipped', 'c:done']);
  });

  it('starts no new step while a failure waits to be handled', async () => {
    const timeline: string[] = [];
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c', ['b'])])],
      script: { a: [{ fail: 'A broke' }], b: [{ ok: 'B', delayMs: 20 }] },
      decisions: [async () => (timeline.push(`replan after: ${run.executor.log.join(', ')}`), { value: skip('A not needed'), usage: PLANNER_USAGE })],
    });
    expect((await run.run()).status).toBe('completed');
    expect(timeline).toEqual(['replan after: start a, start b, end a, end b']);
    expect(run.executor.log).toEqual(['start a', 'start b', 'end a', 'end b', 'start c', 'end c']);
  });

  it('drops a second failure when the first one revised the failed step away', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b'), step('c', ['a', 'b'])])],
      script: { a: [{ fail: 'A broke' }], b: [{ fail: 'B broke', delayMs: 20 }] },
      decisions: [{ action: 'revise', steps: [step('d')], rationale: 'One step does it.' }],
    });
    const result = await run.run();
    expect(run.planner.replanRequests.map(({ failedStep }) => failedStep.id)).toEqual(['a']);
    expect(result.status).toBe('completed');
    expect(statuses(result)).toEqual(['d:done']);
  });
});
