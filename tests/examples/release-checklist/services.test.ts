import { describe, expect, it } from 'vitest';
import { createReleaseAdapters, runRelease } from '../../../src/examples/release-checklist/index.ts';
import { buildOk, chainSpan, deployOk, failed, interval, ok, overlaps, resultsOf, smokeOk, verifyOk } from './fixtures.ts';

const LATENCY_MS = 30;

describe('runRelease with several services', () => {
  it('runs one shared build, then the web and api chains in parallel: their steps overlap in time', async () => {
    const adapters = createReleaseAdapters({ latencyMs: LATENCY_MS });

    const release = await runRelease('1.4.2', 'staging', { services: ['web', 'api'], adapters });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(false);
    expect(resultsOf(release, null)).toEqual([buildOk('1.4.2')]);
    expect(resultsOf(release, 'web')).toEqual([smokeOk('1.4.2', 'web'), deployOk('1.4.2', 'staging', 'web', 1), verifyOk('1.4.2', 'web')]);
    expect(resultsOf(release, 'api')).toEqual([smokeOk('1.4.2', 'api'), deployOk('1.4.2', 'staging', 'api', 2), verifyOk('1.4.2', 'api')]);
    expect(release.plan?.steps.map((step) => [step.id, step.dependsOn])).toEqual([
      ['build', []],
      ['smoke-web', ['build']],
      ['deploy-web', ['smoke-web']],
      ['verify-web', ['deploy-web']],
      ['smoke-api', ['build']],
      ['deploy-api', ['smoke-api']],
      ['verify-api', ['deploy-api']],
    ]);
    // Proof of parallelism from the recorded timestamps: each chain started before the other ended,
    // and the two smoke runs were in flight at the same moment.
    const [web, api] = [chainSpan(release, 'web'), chainSpan(release, 'api')];
    expect(overlaps(web, api)).toBe(true);
    const smokes = release.run.steps.filter((attempt) => attempt.stepId.startsWith('smoke-')).map(interval);
    expect(smokes).toHaveLength(2);
    expect(overlaps(smokes[0]!, smokes[1]!)).toBe(true);
  });

  it('runs the chains one after the other with concurrency 1: no overlap (the check above can fail)', async () => {
    const release = await runRelease('1.4.2', 'staging', { services: ['web', 'api'], concurrency: 1, adapters: createReleaseAdapters({ latencyMs: 5 }) });

    expect(release.status).toBe('succeeded');
    const attempts = release.run.steps.map(interval);
    for (const [index, attempt] of attempts.entries()) {
      if (index > 0) expect(attempt.start).toBeGreaterThanOrEqual(attempts[index - 1]!.end);
    }
  });

  it("fixes web's smoke failure without touching api: api's chain runs once, in parallel with web's fix", async () => {
    const adapters = createReleaseAdapters({ latencyMs: LATENCY_MS });

    const release = await runRelease('1.4.3', 'staging', { services: ['web', 'api'], adapters });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(true);
    expect(resultsOf(release, null)).toEqual([buildOk('1.4.3')]);
    expect(resultsOf(release, 'web')).toEqual([
      failed('smoke-web', 'smoke', 'web', 'smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)'),
      ok('fix-web', 'fix', 'web', 'applied the missing_migration fix to web@1.4.3'),
      smokeOk('1.4.3', 'web'),
      deployOk('1.4.3', 'staging', 'web', 2),
      verifyOk('1.4.3', 'web'),
    ]);
    expect(resultsOf(release, 'api')).toEqual([smokeOk('1.4.3', 'api'), deployOk('1.4.3', 'staging', 'api', 1), verifyOk('1.4.3', 'api')]);
    // The revision kept api's done smoke and carried its remaining steps over unchanged.
    expect(release.run.revisions.map((revision) => revision.stepsAfter.map((step) => step.id))).toEqual([
      ['build', 'smoke-api', 'fix-web', 'smoke-web', 'deploy-web', 'verify-web', 'deploy-api', 'verify-api'],
    ]);
    expect(adapters.calls.filter((call) => call.args[1] === 'api').map((call) => call.operation)).toEqual(['runSmoke', 'deploy', 'checkHealth']);
    expect(adapters.appliedFixes).toEqual([{ version: '1.4.3', service: 'web', fix: 'missing_migration' }]);
    const fix = interval(release.run.steps.find((attempt) => attempt.stepId === 'fix-web')!);
    const apiDeploy = interval(release.run.steps.find((attempt) => attempt.stepId === 'deploy-api')!);
    expect(overlaps(fix, apiDeploy)).toBe(true);
    expect(overlaps(chainSpan(release, 'web'), chainSpan(release, 'api'))).toBe(true);
  });

  it('stops the whole release when one service is unhealthy, keeping what both chains did', async () => {
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.5.0', 'production', { services: ['web', 'api'], adapters });

    expect(release.status).toBe('aborted');
    expect(release.decisions.map((decision) => decision.action)).toEqual(['abort']);
    // Both verifies ran in the same round and both failed; the first failure decided the run.
    expect(resultsOf(release, 'web').map((result) => [result.kind, result.success])).toEqual([
      ['smoke', true],
      ['deploy', true],
      ['verify', false],
    ]);
    expect(resultsOf(release, 'api').map((result) => [result.kind, result.success])).toEqual([
      ['smoke', true],
      ['deploy', true],
      ['verify', false],
    ]);
    expect(adapters.deployments.map((deployment) => deployment.deploymentId)).toEqual(['dep-production-web-1', 'dep-production-api-2']);
  });
});
