/**
 * Every buffer a cap: a plan's text and the final answer are stored, sent in events and shown to
 * models, so they are bounded — plan text by the validator (a model can shorten it in a repair
 * round), the final answer cut like a step output.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PLAN_TEXT_CHARS, MAX_STEP_ID_CHARS, validatePlan } from '../../src/engine/validate-plan.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';

const context = { toolNames: ['search'], maxPlanSteps: 5 };
const issues = (candidate: unknown) => {
  const verdict = validatePlan(candidate, context);
  return verdict.ok ? [] : verdict.issues;
};
const long = 'x'.repeat(MAX_PLAN_TEXT_CHARS + 1);

describe('plan text bounds', () => {
  it(`accepts fields of exactly ${MAX_PLAN_TEXT_CHARS} characters`, () => {
    const limit = 'y'.repeat(MAX_PLAN_TEXT_CHARS);
    expect(issues({ ...plan([step('a', [], { description: limit, expectedOutput: limit })]), goal: limit, rationale: limit })).toEqual([]);
  });

  it('reports each field that is one character longer, and asks for shorter text', () => {
    const candidate = { ...plan([step('a', [], { description: long }), step('b', [], { expectedOutput: long })]), goal: long, rationale: long };
    expect(issues(candidate)).toEqual([
      'The goal has 4001 characters; at most 4000 are allowed. Shorten it.',
      'The rationale has 4001 characters; at most 4000 are allowed. Shorten it.',
      `Step "a"'s description has 4001 characters; at most 4000 are allowed. Shorten it.`,
      `Step "b"'s expectedOutput has 4001 characters; at most 4000 are allowed. Shorten it.`,
    ]);
  });

  it('reports an id over the limit alone, without quoting it', () => {
    const id = 'i'.repeat(MAX_STEP_ID_CHARS + 1);
    expect(issues(plan([step(id), step('b', [id])]))).toEqual(['A step id has 101 characters; use short ids of at most 100.']);
  });

  it('sends a plan with a huge description back for repair, and runs the shortened one', async () => {
    const run = harness({ plans: [plan([step('a', [], { description: 'z'.repeat(5_000_000) })]), plan([step('a')])] });
    const result = await run.run();
    expect(run.planner.planRequests.map(({ feedback }) => feedback)).toEqual([
      [],
      [`Step "a"'s description has 5000000 characters; at most 4000 are allowed. Shorten it.`],
    ]);
    expect(result.status).toBe('completed');
  });

  it('sends a replan decision with an overlong rationale back for repair', async () => {
    const run = harness({
      plans: [plan([step('a')])],
      script: { a: [{ fail: 'gone' }] },
      decisions: [
        { action: 'skip', steps: null, rationale: long },
        { action: 'skip', steps: null, rationale: 'Not needed.' },
      ],
    });
    const result = await run.run();
    expect(run.planner.replanRequests.map(({ feedback }) => feedback)).toEqual([
      [],
      ['The rationale has 4001 characters; at most 4000 are allowed. Shorten it.'],
    ]);
    expect(run.ofType('replan-decided').map(({ rationale }) => rationale)).toEqual(['Not needed.']);
    expect(result.plan.map(({ id, status }) => `${id}:${status}`)).toEqual(['a:skipped']);
  });
});

describe('final answer bound', () => {
  it('cuts the synthesizer answer to maxStepOutputChars, with a marker, in the result and the event', async () => {
    const run = harness({ plans: [plan([step('a')])], synthesis: 's'.repeat(30), settings: { maxStepOutputChars: 10 } });
    const result = await run.run();
    const cut = `${'s'.repeat(10)}\n…[cut 20 of 30 characters]`;
    expect(result.finalOutput).toBe(cut);
    expect(run.ofType('synthesis-finished').map(({ output }) => output)).toEqual([cut]);
  });
});
