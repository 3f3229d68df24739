import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../src/engine/plan-schema.ts';
import { findCycle, validatePlan, type PlanValidationContext } from '../../src/engine/validate-plan.ts';
import { plan, step } from '../helpers/plans.ts';

const context: PlanValidationContext = { toolNames: ['search', 'read_file'], maxPlanSteps: 3 };

const issuesFor = (steps: PlanStep[], overrides: Partial<PlanValidationContext> = {}) => {
  const verdict = validatePlan(plan(steps), { ...context, ...overrides });
  return verdict.ok ? [] : verdict.issues;
};

describe('validatePlan', () => {
  it('accepts a valid plan and returns it parsed', () => {
    const candidate = plan([step('a', [], { toolHint: 'search' }), step('b', ['a'])]);
    expect(validatePlan(candidate, context)).toEqual({ ok: true, plan: candidate });
  });

  it('accepts steps that depend on done steps', () => {
    expect(issuesFor([step('c', ['a'])], { doneSteps: [step('a')] })).toEqual([]);
  });

  it.each<[string, PlanStep[], Partial<PlanValidationContext>, string[]]>([
    ['an empty plan', [], {}, ['The plan has no steps; add at least one step.']],
    ['too many steps', [step('a'), step('b'), step('c'), step('d')], {}, ['The plan has 4 steps; at most 3 are allowed. Merge or drop steps.']],
    [
      'too many steps counting done steps',
      [step('c'), step('d')],
      { doneSteps: [step('a'), step('b')] },
      ['The plan has 4 steps (2 already done); at most 3 are allowed. Merge or drop steps.'],
    ],
    ['an empty id', [step('a'), step('  ')], {}, ['Step 2 has an empty id; give every step a short unique id.']],
    ['a duplicate id', [step('a'), step('a')], {}, ['Step id "a" is used more than once; ids must be unique.']],
    ['an id taken by a done step', [step('a')], { doneSteps: [step('a')] }, ['Step id "a" is taken by a step already done; choose another id.']],
    ['an empty description', [step('a', [], { description: ' ' })], {}, ['Step "a" has an empty description; say what the step must do.']],
    [
      'an unknown tool',
      [step('a', [], { toolHint: 'browser' })],
      {},
      ['Step "a" names tool "browser", which does not exist; use one of "search", "read_file", or null.'],
    ],
    [
      'a tool when there are no tools',
      [step('a', [], { toolHint: 'search' })],
      { toolNames: [] },
      ['Step "a" names tool "search", which does not exist; there are no tools, so use null.'],
    ],
    ['an unknown dependency', [step('a', ['zz'])], {}, ['Step "a" depends on "zz", which is not a step of the plan; use an existing step id.']],
    ['a self-dependency', [step('a', ['a'])], {}, ['Step "a" depends on itself; remove "a" from its dependsOn.']],
    [
      'a three-step cycle',
      [step('a', ['b']), step('b', ['c']), step('c', ['a'])],
      {},
      ['The steps depend on each other in a cycle: a → b → c → a. Remove one of these dependencies.'],
    ],
    [
      'several problems at once',
      [step('a', ['a']), step('a', ['x'], { description: '', toolHint: 'browser' }), step('b'), step('c')],
      {},
      [
        'The plan has 4 steps; at most 3 are allowed. Merge or drop steps.',
        'Step id "a" is used more than once; ids must be unique.',
        'Step "a" has an empty description; say what the step must do.',
        'Step "a" names tool "browser", which does not exist; use one of "search", "read_file", or null.',
        'Step "a" depends on itself; remove "a" from its dependsOn.',
        'Step "a" depends on "x", which is not a step of the plan; use an existing step id.',
      ],
    ],
  ])('reports %s', (_name, steps, overrides, expected) => {
    expect(issuesFor(steps, overrides)).toEqual(expected);
  });

  it('formats schema errors as path: message lines', () => {
    const candidate = { goal: 'g', steps: [{ description: 'd', expectedOutput: 'e', dependsOn: ['a', 3], toolHint: null }], rationale: null };
    expect(validatePlan(candidate, context)).toEqual({
      ok: false,
      issues: ['steps[0].id: Invalid input: expected string, received undefined', 'steps[0].dependsOn[1]: Invalid input: expected string, received number'],
    });
  });

  it('formats a non-object answer as a (root) issue', () => {
    expect(validatePlan(null, context)).toEqual({ ok: false, issues: ['(root): Invalid input: expected object, received null'] });
  });
});

describe('findCycle', () => {
  it('returns the cycle in dependency order, first id repeated at the end', () => {
    expect(findCycle([step('x'), step('a', ['x', 'c']), step('b', ['a']), step('c', ['b'])])).toEqual(['a', 'c', 'b', 'a']);
  });

  it('returns null for a DAG with shared dependencies', () => {
    expect(findCycle([step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])])).toBeNull();
  });
});
