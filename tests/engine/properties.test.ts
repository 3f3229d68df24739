import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteData } from '../../src/agents/prompts.ts';
import type { Plan, PlanStep } from '../../src/engine/plan-schema.ts';
import { PlanTracker } from '../../src/engine/tracker.ts';
import { validatePlan } from '../../src/engine/validate-plan.ts';

const TOOLS = ['search', 'add'];
const MAX_STEPS = 6;

/** A step from small alphabets, so duplicates, unknown dependencies, cycles and unknown tools all happen. */
const stepArbitrary = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', ''),
  description: fc.constantFrom('Do it', ' ', ''),
  expectedOutput: fc.constant('A result'),
  dependsOn: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'x'), { maxLength: 3 }),
  toolHint: fc.constantFrom('search', 'add', 'rm', null),
});
const planArbitrary = fc.record({ goal: fc.constant('Goal'), steps: fc.array(stepArbitrary, { maxLength: MAX_STEPS + 2 }), rationale: fc.constant(null) });

/** An independent oracle: is the dependency graph free of cycles (repeatedly remove steps with no remaining dependencies)? */
function isAcyclic(steps: readonly PlanStep[]): boolean {
  let left = steps.map((step) => ({ id: step.id, dependsOn: step.dependsOn.filter((id) => steps.some((other) => other.id === id)) }));
  for (;;) {
    const free = left.filter((step) => step.dependsOn.every((id) => !left.some((other) => other.id === id)));
    if (free.length === 0) return left.length === 0;
    left = left.filter((step) => !free.includes(step));
  }
}

function isValid(plan: Plan): boolean {
  const ids = plan.steps.map((step) => step.id);
  return (
    plan.steps.length >= 1 &&
    plan.steps.length <= MAX_STEPS &&
    ids.every((id) => id.trim() !== '') &&
    new Set(ids).size === ids.length &&
    plan.steps.every((step) => step.description.trim() !== '') &&
    plan.steps.every((step) => step.toolHint === null || TOOLS.includes(step.toolHint)) &&
    plan.steps.every((step) => step.dependsOn.every((id) => id !== step.id && ids.includes(id))) &&
    isAcyclic(plan.steps)
  );
}

describe('validatePlan (properties)', () => {
  it('accepts a plan exactly when an independent oracle finds it valid, and reports at least one issue otherwise', () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const verdict = validatePlan(plan, { toolNames: TOOLS, maxPlanSteps: MAX_STEPS });
        expect(verdict.ok).toBe(isValid(plan));
        if (!verdict.ok) expect(verdict.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(fc.property(fc.anything(), (candidate) => void validatePlan(candidate, { toolNames: TOOLS, maxPlanSteps: MAX_STEPS })));
  });
});

/** A valid plan: ids s0…sN-1, each step depending only on earlier ones. */
const dagArbitrary = fc.integer({ min: 1, max: 6 }).chain((count) =>
  fc.tuple(...Array.from({ length: count }, (_, index) => fc.subarray(Array.from({ length: index }, (_, earlier) => `s${earlier}`)))).map(
    (dependencies): Plan => ({
      goal: 'Goal',
      rationale: null,
      steps: dependencies.map((dependsOn, index) => ({ id: `s${index}`, description: `Step ${index}`, expectedOutput: 'out', dependsOn, toolHint: null })),
    }),
  ),
);

type Operation = readonly ['start' | 'complete' | 'fail' | 'interrupt' | 'crashed' | 'skip' | 'revise', number, string];
const operationArbitrary = fc.tuple(
  fc.constantFrom('start', 'complete', 'fail', 'interrupt', 'crashed', 'skip', 'revise'),
  fc.nat(7),
  fc.string({ maxLength: 5 }),
) as fc.Arbitrary<Operation>;

/** Applies one operation; a transition the tracker refuses throws and changes nothing. */
function apply(tracker: PlanTracker, [operation, index, text]: Operation, revision: number): void {
  const steps = tracker.list();
  const id = steps[index % steps.length]!.id;
  try {
    if (operation === 'revise')
      tracker.revise([{ id: `r${revision}`, description: text || 'x', expectedOutput: 'out', dependsOn: [], toolHint: null }], 'because', null);
    else if (operation === 'complete') tracker.complete(id, text);
    else if (operation === 'fail') tracker.fail(id, text);
    else if (operation === 'skip') tracker.skip(id, text);
    else tracker[operation](id);
  } catch {
    // Refused: the property below checks that nothing changed for done steps.
  }
}

describe('PlanTracker (properties)', () => {
  it('restores from its snapshot, and from the snapshot sent through JSON, to the same state after any operations', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.array(operationArbitrary, { maxLength: 30 }), (plan, operations) => {
        const tracker = PlanTracker.fromPlan(plan);
        for (const [index, operation] of operations.entries()) apply(tracker, operation, index);
        const snapshot = tracker.snapshot();
        expect(PlanTracker.restore(snapshot).snapshot()).toEqual(snapshot);
        expect(PlanTracker.restore(JSON.parse(JSON.stringify(snapshot))).snapshot()).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('never moves a step out of done, nor changes its output', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.array(operationArbitrary, { maxLength: 40 }), (plan, operations) => {
        const tracker = PlanTracker.fromPlan(plan);
        const done = new Map<string, string | null>();
        operations.forEach((operation, index) => {
          apply(tracker, operation, index);
          const steps = tracker.list();
          for (const [id, output] of done) expect(steps.find((step) => step.id === id)).toMatchObject({ status: 'done', output });
          for (const step of steps) if (step.status === 'done') done.set(step.id, step.output);
        });
      }),
      { numRuns: 300 },
    );
  });
});

/** What a model could read as a data tag: any case, spaces and line breaks around the slash and the name. */
const DATA_TAG = /<\s*\/?\s*data\b/i;

describe('quoteData (properties)', () => {
  const hostile = fc
    .array(fc.constantFrom('</data>', '</DATA >', '</ data>', '< /Data\n>', '<data source="x">', '<', '/', 'data', 'DaTa', ' ', '\n', '>', 'text', '&lt;'), {
      maxLength: 12,
    })
    .map((parts) => parts.join(''));
  const anyText = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), hostile);

  it('holds exactly one opening and one closing data tag whatever the text and the label', () => {
    fc.assert(
      fc.property(anyText, anyText, (label, text) => {
        const quoted = quoteData(label, text);
        const inside = quoted.slice(quoted.indexOf('">\n') + 3, -'\n</data>'.length);
        expect(quoted.startsWith('<data source="')).toBe(true);
        expect(quoted.endsWith('\n</data>')).toBe(true);
        expect(DATA_TAG.test(inside)).toBe(false);
        expect(quoted.match(/<\s*\/?\s*data\b/gi)).toHaveLength(2);
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps the label inside its attribute: no quote, < or > from the label survives unescaped', () => {
    fc.assert(
      fc.property(anyText, (label) => {
        const quoted = quoteData(label, 'x');
        const attribute = quoted.slice('<data source="'.length, quoted.indexOf('">\n'));
        expect(attribute).not.toMatch(/["<>]/);
      }),
      { numRuns: 1_000 },
    );
  });

  it('changes nothing but the < of data tags', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const quoted = quoteData('l', text);
        const inside = quoted.slice('<data source="l">\n'.length, -'\n</data>'.length);
        expect(inside.replaceAll('&lt;', '<')).toBe(text.replaceAll('&lt;', '<'));
      }),
      { numRuns: 1_000 },
    );
  });
});
