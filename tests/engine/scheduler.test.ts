import { describe, expect, it } from 'vitest';
import { isPlanSettled, nextBatch, readyStepIds } from '../../src/engine/scheduler.ts';
import { tracked } from '../helpers/plans.ts';

describe('readyStepIds', () => {
  it('returns the pending steps whose dependencies are all done, in plan order', () => {
    const steps = [
      tracked('fetch', 'done'),
      tracked('lint', 'pending'),
      tracked('parse', 'pending', ['fetch']),
      tracked('report', 'pending', ['parse', 'lint']),
      tracked('notify', 'pending', ['fetch']),
    ];
    expect(readyStepIds(steps)).toEqual(['lint', 'parse', 'notify']);
  });

  it('counts a skipped dependency as settled', () => {
    expect(readyStepIds([tracked('a', 'skipped'), tracked('b', 'pending', ['a'])])).toEqual(['b']);
  });

  it('keeps the dependants of a failed step waiting', () => {
    expect(readyStepIds([tracked('a', 'failed'), tracked('b', 'pending', ['a']), tracked('c', 'pending')])).toEqual(['c']);
  });

  it('keeps the dependants of an in-progress step waiting and never returns non-pending steps', () => {
    const steps = [tracked('a', 'in_progress'), tracked('b', 'pending', ['a']), tracked('c', 'done'), tracked('d', 'failed')];
    expect(readyStepIds(steps)).toEqual([]);
  });
});

describe('nextBatch', () => {
  it('with early work: its running held attempts always start, its ended ones take the free slots first, in plan order', () => {
    const steps = [tracked('a', 'pending'), tracked('b', 'pending'), tracked('c', 'pending'), tracked('d', 'in_progress')];
    const early = (running: readonly string[], ended: readonly string[]) => ({
      holds: (step: { id: string }) => running.includes(step.id) || ended.includes(step.id),
      isRunning: (step: { id: string }) => running.includes(step.id),
      inFlight: () => running.length,
    });
    // d runs and c's attempt runs: 2 of 3 slots taken, c starts and one slot is left.
    expect(nextBatch(steps, 3, early(['c'], []))).toEqual(['a', 'c']);
    expect(nextBatch(steps, 2, early(['b', 'c'], []))).toEqual(['b', 'c']);
    // An ended attempt is taken over within the free slots, before the others.
    expect(nextBatch(steps, 2, early([], ['c']))).toEqual(['c']);
    expect(nextBatch(steps, 3, early([], ['c']))).toEqual(['a', 'c']);
    expect(nextBatch(steps, 1, early([], ['c']))).toEqual([]);
    expect(nextBatch(steps, 3, early([], []))).toEqual(['a', 'b']);
  });

  const independent = ['a', 'b', 'c', 'd', 'e'].map((id) => tracked(id, 'pending'));

  it('takes at most `concurrency` ready steps, in plan order', () => {
    expect(nextBatch(independent, 2)).toEqual(['a', 'b']);
    expect(nextBatch(independent, 1)).toEqual(['a']);
    expect(nextBatch(independent, 10)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('counts steps already in progress against the limit', () => {
    const steps = [tracked('a', 'in_progress'), tracked('b', 'in_progress'), tracked('c', 'pending'), tracked('d', 'pending')];
    expect(nextBatch(steps, 3)).toEqual(['c']);
    expect(nextBatch(steps, 2)).toEqual([]);
    expect(nextBatch(steps, 1)).toEqual([]);
  });
});

describe('isPlanSettled', () => {
  it.each([
    [['done', 'skipped'], true],
    [[], true],
    [['done', 'pending'], false],
    [['done', 'failed'], false],
    [['in_progress'], false],
  ] as const)('is %j → %s', (statuses, expected) => {
    expect(isPlanSettled(statuses.map((status, index) => tracked(`s${index}`, status)))).toBe(expected);
  });
});
