import { describe, expect, it } from 'vitest';
import {
  draftReleasePlan,
  fromPlanStep,
  parseStepDescription,
  toEngineDecision,
  toPlanStep,
  type ReleasePlanStep,
} from '../../../src/examples/release-checklist/index.ts';

const fixWeb: ReleasePlanStep = { id: 'fix-web', kind: 'fix', targetService: 'web', description: 'Apply the missing_migration fix to web for 1.4.3', toolHint: 'applyFix', dependsOn: ['build'] };

describe('plan mapping', () => {
  it.each([...draftReleasePlan({ version: '1.4.3', env: 'staging', services: ['web', 'api'] }).steps, fixWeb])('round-trips the $kind step "$id" through the engine', (step) => {
    expect(fromPlanStep(toPlanStep(step))).toEqual(step);
  });

  it('labels the description with kind and service, and derives the expected output from the kind', () => {
    expect(toPlanStep(fixWeb)).toEqual({
      id: 'fix-web',
      description: '[fix web] Apply the missing_migration fix to web for 1.4.3',
      expectedOutput: 'Confirmation that the fix was applied.',
      dependsOn: ['build'],
      toolHint: 'applyFix',
    });
    expect(parseStepDescription('[build] Fetch the build')).toEqual({ kind: 'build', targetService: null, text: 'Fetch the build' });
  });

  it.each(['Fetch the build', '[ship web] Ship it', '[smoke web]no space'])('finds no release label in %j', (description) => {
    expect(parseStepDescription(description)).toBeNull();
  });

  it('refuses an engine step it did not make', () => {
    expect(() => fromPlanStep({ id: 's1', description: 'Do s1', expectedOutput: 'x', dependsOn: [], toolHint: null })).toThrow(
      'Step "s1" is not a release step: "Do s1" (tool null)',
    );
  });

  it('maps insert_fix to a revision: fix, the failed step again after it, then the remaining steps unchanged', () => {
    const [, smoke, deploy, verify] = draftReleasePlan({ version: '1.4.3', env: 'staging', services: ['web'] }).steps.map(toPlanStep);
    const decision = toEngineDecision({ action: 'insert_fix', fixStep: fixWeb, rationale: 'Known failure' }, smoke!, [deploy!, verify!]);
    expect(decision).toEqual({ action: 'revise', steps: [toPlanStep(fixWeb), { ...smoke!, dependsOn: ['build', 'fix-web'] }, deploy, verify], rationale: 'Known failure' });
  });

  it.each([
    ['proceed', 'skip'],
    ['abort', 'abort'],
  ] as const)('maps %s to the engine\'s %s', (action, engineAction) => {
    const smoke = toPlanStep(draftReleasePlan({ version: '1.4.3', env: 'staging', services: ['web'] }).steps[1]!);
    expect(toEngineDecision({ action, fixStep: null, rationale: 'Why' }, smoke, [])).toEqual({ action: engineAction, steps: null, rationale: 'Why' });
  });
});
