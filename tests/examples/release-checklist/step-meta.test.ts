import { describe, expect, it } from 'vitest';
import { toolCallOf } from '../../../src/examples/release-checklist/deterministic-roles.ts';
import { draftReleasePlan, fromEngineStep, releaseMetaOf, toEngineStep } from '../../../src/examples/release-checklist/release-plan.ts';
import { toEngineDecision } from '../../../src/examples/release-checklist/replan-policy.ts';
import type { ReleasePlanStep } from '../../../src/examples/release-checklist/schemas.ts';

const target = { version: '1.4.3', env: 'staging' as const, services: ['web', 'api'] };
const fixWeb: ReleasePlanStep = {
  id: 'fix-web',
  kind: 'fix',
  targetService: 'web',
  description: 'Apply the missing_migration fix to web for 1.4.3',
  toolHint: 'applyFix',
  dependsOn: ['build'],
};

describe('release steps on the engine', () => {
  it.each([...draftReleasePlan(target).steps, fixWeb])('round-trips the $kind step "$id" through the engine', (step) => {
    expect(fromEngineStep(toEngineStep(step))).toEqual(step);
  });

  it('keeps the description as written and puts kind, service and the fix pattern in meta', () => {
    expect(toEngineStep(fixWeb, 'missing_migration')).toEqual({
      id: 'fix-web',
      description: 'Apply the missing_migration fix to web for 1.4.3',
      expectedOutput: 'Confirmation that the fix was applied.',
      dependsOn: ['build'],
      toolHint: 'applyFix',
      meta: { kind: 'fix', targetService: 'web', fix: 'missing_migration' },
    });
    expect(toEngineStep(draftReleasePlan(target).steps[0]!).meta).toEqual({ kind: 'build', targetService: null });
  });

  it.each([
    ['no meta', undefined, 'Step "s1" is not a release step: its meta is missing'],
    ['an unknown kind', { kind: 'ship', targetService: 'web' }, 'Step "s1" is not a release step: its meta is {"kind":"ship","targetService":"web"}'],
  ])('refuses an engine step with %s', (_case, meta, message) => {
    expect(() => releaseMetaOf({ id: 's1', meta })).toThrow(message);
  });

  it('maps insert_fix to a revision: fix (with the pattern from the error), the failed step again after it, then the remaining steps unchanged', () => {
    const [, smoke, deploy, verify] = draftReleasePlan({ ...target, services: ['web'] }).steps.map((step) => toEngineStep(step));
    const decision = toEngineDecision(
      { action: 'insert_fix', fixStep: fixWeb, rationale: 'Known failure' },
      smoke!,
      [deploy!, verify!],
      'smoke failed: missing_migration (x)',
    );
    expect(decision).toEqual({
      action: 'revise',
      steps: [toEngineStep(fixWeb, 'missing_migration'), { ...smoke!, dependsOn: ['build', 'fix-web'] }, deploy, verify],
      rationale: 'Known failure',
    });
  });

  it.each([
    ['proceed', 'skip'],
    ['abort', 'abort'],
  ] as const)("maps %s to the engine's %s", (action, engineAction) => {
    const smoke = toEngineStep(draftReleasePlan(target).steps[1]!);
    expect(toEngineDecision({ action, fixStep: null, rationale: 'Why' }, smoke, [], 'error')).toEqual({ action: engineAction, steps: null, rationale: 'Why' });
  });
});

describe('toolCallOf', () => {
  it.each([
    [
      { kind: 'build', targetService: null },
      { tool: 'fetchBuild', input: { version: '1.4.3' } },
    ],
    [
      { kind: 'smoke', targetService: 'web' },
      { tool: 'runSmoke', input: { version: '1.4.3', service: 'web' } },
    ],
    [
      { kind: 'deploy', targetService: 'api' },
      { tool: 'deploy', input: { version: '1.4.3', service: 'api', env: 'staging' } },
    ],
    [
      { kind: 'verify', targetService: 'web' },
      { tool: 'checkHealth', input: { version: '1.4.3', service: 'web' } },
    ],
    [
      { kind: 'fix', targetService: 'web', fix: 'missing_migration' },
      { tool: 'applyFix', input: { version: '1.4.3', service: 'web', fix: 'missing_migration' } },
    ],
  ] as const)('reads the tool call of %j from the meta', (meta, call) => {
    expect(toolCallOf('s', meta, target)).toEqual(call);
  });

  it.each([
    [{ kind: 'smoke', targetService: null }, 'The smoke step "s" names no service'],
    [{ kind: 'fix', targetService: 'web' }, 'The fix step "s" names no failure pattern to fix'],
  ] as const)('says what %j lacks', (meta, message) => {
    expect(toolCallOf('s', meta, target)).toBe(message);
  });
});
