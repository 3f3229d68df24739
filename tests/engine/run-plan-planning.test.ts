import { describe, expect, it } from 'vitest';
import { ModelOutputError, PlanValidationError } from '../../src/engine/errors.ts';
import type { Plan } from '../../src/engine/plan-schema.ts';
import { throwing } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';

const valid = plan([step('a'), step('b', ['a'])]);
const unknownDependency = plan([step('a', ['zz'])]);
const UNKNOWN_DEPENDENCY = 'Step "a" depends on "zz", which is not a step of the plan; use an existing step id.';

describe('runPlan: planning and repair', () => {
  it('sends an invalid plan back with the validator messages and runs the repaired plan', async () => {
    const run = harness({ plans: [unknownDependency, valid] });
    const result = await run.run();
    expect(run.planner.planRequests.map(({ feedback }) => feedback)).toEqual([[], [UNKNOWN_DEPENDENCY]]);
    expect(run.types().slice(0, 3)).toEqual(['run-started', 'plan-invalid', 'plan-created']);
    expect(run.ofType('plan-invalid').map(({ issues, attempt }) => ({ issues, attempt }))).toEqual([{ issues: [UNKNOWN_DEPENDENCY], attempt: 1 }]);
    expect(run.ofType('plan-created').map(({ plan: created, attempt }) => ({ plan: created, attempt }))).toEqual([{ plan: valid, attempt: 2 }]);
    expect(result.status).toBe('completed');
    expect(result.initialPlan).toEqual(valid);
  });

  it('sends a malformed planner answer back with its schema issues', async () => {
    const malformed = new ModelOutputError('planner', '{"goal": 1}', ['goal: Invalid input: expected string, received number']);
    const run = harness({ plans: [throwing(malformed), valid] });
    expect((await run.run()).status).toBe('completed');
    expect(run.planner.planRequests[1]!.feedback).toEqual(['goal: Invalid input: expected string, received number']);
  });

  it('fails with PLAN_INVALID after maxPlanRepairs repairs, reporting a PlanValidationError', async () => {
    const run = harness({ plans: [unknownDependency, unknownDependency, unknownDependency] });
    const result = await run.run();
    expect(run.planner.planRequests).toHaveLength(3);
    expect(run.types()).toEqual(['run-started', 'plan-invalid', 'plan-invalid', 'plan-invalid', 'run-finished']);
    expect(result).toMatchObject({
      status: 'failed',
      initialPlan: null,
      plan: [],
      finalOutput: '',
      error: { code: 'PLAN_INVALID', message: `The plan is invalid: ${UNKNOWN_DEPENDENCY}`, issues: [UNKNOWN_DEPENDENCY] },
    });
    const finished = run.ofType('run-finished')[0]!;
    expect(finished.error).toBeInstanceOf(PlanValidationError);
    expect(finished.error).toMatchObject({ code: 'PLAN_INVALID', issues: [UNKNOWN_DEPENDENCY], rejected: unknownDependency });
    expect(run.executor.calls).toEqual([]);
  });

  it('honours maxPlanRepairs: 0 (a single attempt)', async () => {
    const run = harness({ plans: [unknownDependency], settings: { maxPlanRepairs: 0 } });
    expect((await run.run()).error?.code).toBe('PLAN_INVALID');
    expect(run.planner.planRequests).toHaveLength(1);
  });
});

describe('runPlan: invalid revisions', () => {
  const failingB = { plans: [valid], script: { b: [{ fail: 'no access' }] } };

  it('sends a revise decision with invalid steps back with the validator messages', async () => {
    const run = harness({
      ...failingB,
      decisions: [
        { action: 'revise', steps: [step('a')], rationale: 'Redo a.' },
        { action: 'revise', steps: null, rationale: 'Forgot the steps.' },
        { action: 'revise', steps: [step('b2', ['a'])], rationale: 'Use b2.' },
      ],
    });
    const result = await run.run();
    expect(run.planner.replanRequests.map(({ feedback }) => feedback)).toEqual([
      [],
      ['Step id "a" is taken by a step already done; choose another id.'],
      ['The action is "revise" but steps is null; give the steps that replace every step not yet done.'],
    ]);
    expect(run.ofType('plan-invalid').map(({ attempt }) => attempt)).toEqual([1, 2]);
    expect(result.status).toBe('completed');
    expect(result.plan.map(({ id, status }) => `${id}:${status}`)).toEqual(['a:done', 'b2:done']);
  });

  it('fails with PLAN_INVALID when no valid revision comes within the repairs', async () => {
    const bad = { action: 'revise', steps: [step('a')], rationale: 'Redo a.' };
    const run = harness({ ...failingB, decisions: [bad, bad, bad] });
    const result = await run.run();
    expect(run.planner.replanRequests).toHaveLength(3);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'PLAN_INVALID',
      message: 'The plan is invalid: Step id "a" is taken by a step already done; choose another id.',
      issues: ['Step id "a" is taken by a step already done; choose another id.'],
    });
    expect(run.ofType('run-finished')[0]!.error).toBeInstanceOf(PlanValidationError);
  });
});

describe('runPlan: approvePlan', () => {
  it('approves with true: plan-approved, not edited', async () => {
    const seen: Plan[] = [];
    const run = harness({ plans: [valid], settings: { approvePlan: (proposed) => (seen.push(proposed), true) } });
    expect((await run.run()).status).toBe('completed');
    expect(seen).toEqual([valid]);
    expect(run.types().slice(0, 4)).toEqual(['run-started', 'plan-created', 'plan-approved', 'step-started']);
    expect(run.ofType('plan-approved').map(({ plan: approved, edited }) => ({ plan: approved, edited }))).toEqual([{ plan: valid, edited: false }]);
  });

  it('rejects with false: status rejected, nothing runs', async () => {
    const run = harness({ plans: [valid], settings: { approvePlan: async () => false } });
    const result = await run.run();
    expect(run.types()).toEqual(['run-started', 'plan-created', 'plan-rejected', 'run-finished']);
    expect(result).toMatchObject({
      status: 'rejected',
      initialPlan: valid,
      finalOutput: '',
      error: { code: 'PLAN_REJECTED', message: 'The plan was rejected before execution' },
    });
    expect(run.executor.calls).toEqual([]);
  });

  it('runs an edited plan and records it as an edit revision', async () => {
    const edited = plan([step('x'), step('y', ['x'], { toolHint: 'search' })]);
    const run = harness({ plans: [valid], settings: { approvePlan: () => edited } });
    const result = await run.run();
    expect(run.executor.log).toEqual(['start x', 'end x', 'start y', 'end y']);
    expect(result.revisions).toEqual([
      { revision: 1, kind: 'edit', reason: 'Plan edited at approval', failedStepId: null, stepsBefore: valid.steps, stepsAfter: edited.steps },
    ]);
    expect(result).toMatchObject({ status: 'completed', replanned: false, initialPlan: valid });
    expect(run.ofType('plan-approved').map(({ plan: approved, edited: isEdited }) => ({ plan: approved, edited: isEdited }))).toEqual([
      { plan: edited, edited: true },
    ]);
  });

  it('fails with PLAN_INVALID when the edited plan is invalid', async () => {
    const run = harness({ plans: [valid], settings: { approvePlan: () => unknownDependency } });
    const result = await run.run();
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'PLAN_INVALID', message: `The plan is invalid: ${UNKNOWN_DEPENDENCY}`, issues: [UNKNOWN_DEPENDENCY] });
    expect(run.ofType('run-finished')[0]!.error).toMatchObject({ rejected: unknownDependency });
    expect(run.executor.calls).toEqual([]);
  });
});

describe('runPlan: model/API errors of the planner', () => {
  it('re-asks the planner after an API error, up to maxRetries times', async () => {
    const run = harness({ plans: [throwing(new Error('502 Bad Gateway')), valid], settings: { maxRetries: 1 } });
    const result = await run.run();
    expect(result.status).toBe('completed');
    expect(run.planner.planRequests.map(({ feedback }) => feedback)).toEqual([[], []]);
    expect(run.types().slice(0, 2)).toEqual(['run-started', 'plan-created']);
  });

  it('fails UNEXPECTED once the retries are spent', async () => {
    const run = harness({ plans: [throwing(new Error('502 Bad Gateway')), throwing(new Error('503 Unavailable')), valid], settings: { maxRetries: 1 } });
    const result = await run.run();
    expect(result.error).toEqual({ code: 'UNEXPECTED', message: 'The run failed unexpectedly: 503 Unavailable' });
    expect(run.planner.planRequests).toHaveLength(2);
  });
});
