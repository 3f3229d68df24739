import { describe, expect, it } from 'vitest';
import { draftReleasePlan } from '../../../src/examples/release-checklist/release-plan.ts';
import { decideReplan, type ReleaseCompletedStep } from '../../../src/examples/release-checklist/replan-policy.ts';
import type { ReleasePlanStep } from '../../../src/examples/release-checklist/schemas.ts';

const target = { version: '1.4.3', env: 'staging' as const, services: ['web', 'api'] };
const [build, smokeWeb, , verifyWeb, smokeApi, deployApi] = draftReleasePlan(target).steps as [ReleasePlanStep, ...ReleasePlanStep[]];
const signal = new AbortController().signal;
const buildDone: ReleaseCompletedStep = { id: 'build', kind: 'build', targetService: null, description: build.description, output: 'build 1.4.3 is green' };

const decide = (failedStep: ReleasePlanStep, error: string, completed = [buildDone]) =>
  decideReplan({ target, completed, failedStep, error, remaining: [], feedback: [], abortSignal: signal });

describe('decideReplan', () => {
  it('inserts a fix for a known smoke failure, on the failed service, after the same dependencies', () => {
    expect(decide(smokeWeb!, 'smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)')).toEqual({
      action: 'insert_fix',
      fixStep: {
        id: 'fix-web',
        kind: 'fix',
        targetService: 'web',
        description: 'Apply the missing_migration fix to web for 1.4.3',
        toolHint: 'applyFix',
        dependsOn: ['build'],
      },
      rationale: 'missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again before deploying.',
    });
    expect(decide(smokeApi!, 'smoke failed for api@1.4.3: missing_migration (x)').fixStep?.id).toBe('fix-api');
  });

  it.each([
    [
      'an unknown smoke failure',
      () => decide(smokeWeb!, 'smoke failed for web@1.4.3: flaky_login (timeout)'),
      'The smoke suite of web@1.4.3 failed with no known remedy: smoke failed for web@1.4.3: flaky_login (timeout)',
    ],
    [
      'a pattern inside another word',
      () => decide(smokeWeb!, 'not_missing_migrations'),
      'The smoke suite of web@1.4.3 failed with no known remedy: not_missing_migrations',
    ],
    [
      'a smoke failure after the fix',
      () =>
        decide(smokeWeb!, 'smoke failed for web@1.4.3: missing_migration (x)', [buildDone, { ...buildDone, id: 'fix-web', kind: 'fix', targetService: 'web' }]),
      'The smoke suite of web@1.4.3 still fails after the missing_migration fix; a human has to look.',
    ],
    [
      'a failed verify',
      () => decide(verifyWeb!, 'health check failed'),
      'web@1.4.3 is deployed but unhealthy; rolling back is left to the caller. health check failed',
    ],
    [
      'a missing build',
      () => decide(build, 'CI has no build of version 1.4.3 (status: not_found)'),
      'There is nothing to release: CI has no build of version 1.4.3 (status: not_found)',
    ],
    [
      'a failed deploy',
      () => decide(deployApi!, 'quota exceeded'),
      'The deploy step "deploy-api" failed and nothing can be done automatically: quota exceeded',
    ],
  ])('aborts after %s', (_case, decision, rationale) => {
    expect(decision()).toEqual({ action: 'abort', fixStep: null, rationale });
  });
});
