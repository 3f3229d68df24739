import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../src/engine/plan-schema.ts';
import { catalogueContext, findCycle, validatePlan, type PlanValidationContext } from '../../src/engine/validate-plan.ts';
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

describe('validatePlan on direct steps', () => {
  // What the catalogue reads from a zod tool (`{ a: number, b: number, mode?: "fast" | "exact" }`), as JSON Schema.
  const ADD_INPUT = {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' }, mode: { type: 'string', enum: ['fast', 'exact'] } },
    required: ['a', 'b'],
    additionalProperties: false,
  };
  const tools = [
    { name: 'add', description: 'Add two numbers', inputSchema: ADD_INPUT },
    { name: 'search', description: 'Search the web' },
  ];
  const direct = (id: string, dependsOn: string[], toolArgs: Record<string, unknown> | null, tool = 'add') => step(id, dependsOn, { tool, toolArgs });
  const issuesOf = (steps: PlanStep[]) => {
    const verdict = validatePlan(plan(steps), catalogueContext(tools, 5));
    return verdict.ok ? [] : verdict.issues;
  };

  it('accepts literal arguments that fit the schema and references to steps in dependsOn, wherever they sit', () => {
    const steps = [
      direct('s1', [], { a: 1, b: 2 }),
      direct('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 3, mode: 'exact' }),
      direct('s3', ['s2'], { query: { $ref: 's2' } }, 'search'),
    ];

    expect(issuesOf(steps)).toEqual([]);
  });

  it('treats a reference as unknown: a required key it fills is present, and its type is judged when the tool runs', () => {
    expect(issuesOf([step('s0'), direct('s1', ['s0'], { a: { $ref: 's0' }, b: { $ref: 's0', path: 'x.0' } })])).toEqual([]);
  });

  it.each<[string, PlanStep[], string[]]>([
    ['a tool that does not exist', [direct('s1', [], {}, 'multiply')], ['Step "s1" calls tool "multiply", which does not exist; use one of "add", "search".']],
    [
      'toolArgs without a tool',
      [step('s1', [], { tool: null, toolArgs: { a: 1 } })],
      ['Step "s1" has toolArgs but no tool; name the tool to call in tool, or set toolArgs to null.'],
    ],
    [
      'a reference to a step not in dependsOn',
      [step('s0'), direct('s1', [], { a: { $ref: 's0' }, b: 2 })],
      ['Step "s1" toolArgs at a refer to "s0", which is not in its dependsOn; add "s0" to dependsOn.'],
    ],
    [
      'a malformed reference',
      [step('s0'), direct('s1', ['s0'], { a: { $ref: 's0', pick: 'sum' }, b: 2 })],
      ['Step "s1" toolArgs at a: a reference is {"$ref": "<step id>"} or {"$ref": "<step id>", "path": "a.0.b"}, nothing else.'],
    ],
    [
      'literal arguments the schema rejects: a missing key, a wrong type, a value outside the enum, an unknown key',
      [direct('s1', [], { a: 'one', mode: 'slow', c: true })],
      [
        'Step "s1" toolArgs at a do not fit tool "add": Invalid input: expected number, received string.',
        'Step "s1" toolArgs at b do not fit tool "add": Invalid input: expected number, received undefined.',
        'Step "s1" toolArgs at mode do not fit tool "add": Invalid option: expected one of "fast"|"exact".',
        'Step "s1" toolArgs at (the arguments) do not fit tool "add": Unrecognized key: "c".',
      ],
    ],
    [
      'null toolArgs for a tool with required keys (read as {})',
      [direct('s1', [], null)],
      [
        'Step "s1" toolArgs at a do not fit tool "add": Invalid input: expected number, received undefined.',
        'Step "s1" toolArgs at b do not fit tool "add": Invalid input: expected number, received undefined.',
      ],
    ],
  ])('reports %s', (_name, steps, expected) => {
    expect(issuesOf(steps)).toEqual(expected);
  });

  it('checks only references and tools when the catalogue has no schemas (toolNames alone)', () => {
    const verdict = validatePlan(plan([direct('s1', [], { anything: 'goes' })]), { toolNames: ['add'], maxPlanSteps: 5 });
    expect(verdict.ok).toBe(true);
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
