import { describe, expect, it } from 'vitest';
import { PlanTracker } from '../../src/engine/tracker.ts';
import { plan, step } from '../helpers/plans.ts';

const threeSteps = () => plan([step('a'), step('b', ['a']), step('c', ['b'])], { rationale: 'In order.' });

describe('PlanTracker', () => {
  it('starts every step pending with no output, error or attempts', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    expect(tracker.goal).toBe('Reach the goal');
    expect(tracker.list()).toEqual(threeSteps().steps.map((planStep) => ({ ...planStep, status: 'pending', output: null, error: null, attempts: 0 })));
  });

  it('moves a step pending → in_progress → done and keeps its output', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    expect(tracker.start('a')).toMatchObject({ status: 'in_progress', attempts: 1 });
    expect(tracker.complete('a', 'A')).toEqual({ ...step('a'), status: 'done', output: 'A', error: null, attempts: 1 });
  });

  it('counts attempts across failed attempts and clears the error on a new start', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    tracker.start('a');
    expect(tracker.fail('a', 'boom')).toMatchObject({ status: 'failed', error: 'boom', attempts: 1 });
    expect(tracker.start('a')).toMatchObject({ status: 'in_progress', error: null, attempts: 2 });
    tracker.fail('a', 'boom again');
    expect(tracker.start('a')).toMatchObject({ attempts: 3 });
    expect(tracker.get('a').attempts).toBe(3);
  });

  it('puts an interrupted step back to pending with its attempts kept', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    tracker.start('a');
    expect(tracker.interrupt('a')).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('puts an abandoned attempt (no record left) back to pending, uncounted', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    tracker.start('a');
    expect(tracker.abandon('a')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(() => tracker.abandon('a')).toThrow('Step "a" is pending; expected in_progress');
  });

  it.each<[string, (tracker: PlanTracker) => unknown, string]>([
    ['completing a pending step', (tracker) => tracker.complete('a', 'x'), 'Step "a" is pending; expected in_progress'],
    ['failing a pending step', (tracker) => tracker.fail('a', 'x'), 'Step "a" is pending; expected in_progress'],
    ['interrupting a pending step', (tracker) => tracker.interrupt('a'), 'Step "a" is pending; expected in_progress'],
    ['starting a running step', (tracker) => (tracker.start('a'), tracker.start('a')), 'Step "a" is in_progress; expected pending or failed'],
    ['starting a done step', (tracker) => (tracker.start('a'), tracker.complete('a', 'x'), tracker.start('a')), 'Step "a" is done; expected pending or failed'],
    [
      'skipping a done step',
      (tracker) => (tracker.start('a'), tracker.complete('a', 'x'), tracker.skip('a', 'r')),
      'Step "a" is done; expected failed or pending',
    ],
    ['starting an unknown step', (tracker) => tracker.start('zz'), 'Unknown step id "zz"'],
    ['getting an unknown step', (tracker) => tracker.get('zz'), 'Unknown step id "zz"'],
  ])('throws on %s', (_name, act, message) => {
    expect(() => act(PlanTracker.fromPlan(threeSteps()))).toThrow(new Error(message));
  });

  it('revise keeps done steps with their outputs, replaces the rest, and records the revision', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    tracker.start('a');
    tracker.complete('a', 'A');
    tracker.start('b');
    tracker.fail('b', 'no access');
    const revision = tracker.revise([step('b2', ['a']), step('c', ['b2'])], 'Use a mirror', 'b');
    expect(revision).toEqual({
      revision: 1,
      kind: 'revise',
      reason: 'Use a mirror',
      failedStepId: 'b',
      stepsBefore: threeSteps().steps,
      stepsAfter: [step('a'), step('b2', ['a']), step('c', ['b2'])],
    });
    expect(tracker.list()).toEqual([
      { ...step('a'), status: 'done', output: 'A', error: null, attempts: 1 },
      { ...step('b2', ['a']), status: 'pending', output: null, error: null, attempts: 0 },
      { ...step('c', ['b2']), status: 'pending', output: null, error: null, attempts: 0 },
    ]);
  });

  it('skip marks the step skipped with the reason and numbers revisions in order', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    tracker.start('a');
    tracker.fail('a', 'gone');
    const first = tracker.skip('a', 'Not needed');
    const second = tracker.revise([step('d')], 'Simpler', null, 'edit');
    expect(first).toEqual({
      revision: 1,
      kind: 'skip',
      reason: 'Not needed',
      failedStepId: 'a',
      stepsBefore: threeSteps().steps,
      stepsAfter: threeSteps().steps,
    });
    expect(second).toMatchObject({ revision: 2, kind: 'edit', failedStepId: null, stepsAfter: [step('d')] });
    expect(tracker.revisions()).toEqual([first, second]);
    // A skipped step is not done, so the revision replaced it too.
    expect(tracker.list().map(({ id, status }) => [id, status])).toEqual([['d', 'pending']]);
  });

  it('hands out copies: changing a listed step or a revision does not change the tracker', () => {
    const tracker = PlanTracker.fromPlan(threeSteps());
    (tracker.list()[1]!.dependsOn as string[]).push('zz');
    tracker.revise([step('x')], 'r', null);
    (tracker.revisions()[0]!.stepsAfter as unknown[]).length = 0;
    expect(tracker.list()[0]!.dependsOn).toEqual([]);
    expect(tracker.revisions()[0]!.stepsAfter).toEqual([step('x')]);
  });

  describe('snapshot and restore', () => {
    const busyTracker = () => {
      const tracker = PlanTracker.fromPlan(threeSteps());
      tracker.start('a');
      tracker.complete('a', 'A');
      tracker.start('b');
      tracker.fail('b', 'no access');
      tracker.revise([step('b2', ['a'], { toolHint: 'search' }), step('c', ['b2'])], 'Use a mirror', 'b');
      tracker.start('b2');
      return tracker;
    };

    it('is plain JSON', () => {
      const snapshot = busyTracker().snapshot();
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      expect(snapshot).toMatchObject({ version: 1, initialPlan: threeSteps(), goal: 'Reach the goal', rationale: 'In order.' });
    });

    it('restores exactly: the restored tracker snapshots to the same state', () => {
      const original = busyTracker();
      const restored = PlanTracker.restore(JSON.parse(JSON.stringify(original.snapshot())));
      expect(restored.snapshot()).toEqual(original.snapshot());
      expect(restored.list()).toEqual(original.list());
      expect(restored.revisions()).toEqual(original.revisions());
      expect(restored.goal).toBe(original.goal);
    });

    it('restores an independent copy: changing the restored tracker leaves the original alone', () => {
      const original = busyTracker();
      const before = original.snapshot();
      const restored = PlanTracker.restore(before);
      restored.complete('b2', 'B2');
      restored.revise([step('z', ['a'])], 'Another try', 'c');
      expect(original.snapshot()).toEqual(before);
      expect(restored.get('z').status).toBe('pending');
      expect(original.get('b2').status).toBe('in_progress');
    });
  });
});
