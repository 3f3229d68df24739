import { describe, expect, it } from 'vitest';
import { createReleaseAdapters, runRelease } from '../../../src/examples/release-checklist/index.ts';
import { EXPECTED_RESULTS, eventTrail, recordEvents, UNHEALTHY_ABORT, WEB_FIX_DECISION } from './fixtures.ts';

const kinds = (results: readonly { kind: string }[]) => results.map((result) => result.kind);

describe('runRelease', () => {
  it('releases 1.4.2 straight through: build, smoke, deploy, verify, all green, no replan', async () => {
    const { events, onEvent } = recordEvents();

    const release = await runRelease('1.4.2', 'staging', { onEvent });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(false);
    expect(release.decisions).toEqual([]);
    expect(kinds(release.results)).toEqual(['build', 'smoke', 'deploy', 'verify']);
    expect(release.results.every((result) => result.success)).toBe(true);
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.2']());
    expect(release.run.status).toBe('completed');
    expect(release.run.error).toBeNull();
    expect(release.plan).toEqual({
      version: '1.4.2',
      env: 'staging',
      goal: 'Release 1.4.2 of web to staging',
      rationale: 'One shared build, then a smoke → deploy → verify chain per service; the chains are independent, so they run in parallel.',
      steps: [
        {
          id: 'build',
          kind: 'build',
          targetService: null,
          description: 'Fetch the CI build of 1.4.2 and check it is green',
          toolHint: 'fetchBuild',
          dependsOn: [],
        },
        {
          id: 'smoke-web',
          kind: 'smoke',
          targetService: 'web',
          description: 'Run the smoke suite of 1.4.2 against web',
          toolHint: 'runSmoke',
          dependsOn: ['build'],
        },
        { id: 'deploy-web', kind: 'deploy', targetService: 'web', description: 'Deploy 1.4.2 of web to staging', toolHint: 'deploy', dependsOn: ['smoke-web'] },
        {
          id: 'verify-web',
          kind: 'verify',
          targetService: 'web',
          description: 'Check web is healthy on 1.4.2',
          toolHint: 'checkHealth',
          dependsOn: ['deploy-web'],
        },
      ],
    });
    expect(release.run.finalOutput).toBe(
      [
        'Released 1.4.2 to staging (web).',
        '- build: build 1.4.2 is green: sha 9e1c4b7, artifact registry.example.com/shop:1.4.2',
        '- smoke-web: smoke passed for web@1.4.2: 24/24 checks green',
        '- deploy-web: deployed web@1.4.2 to staging as dep-staging-web-1',
        '- verify-web: web@1.4.2 healthy: 5/5 checks green, p95 182 ms, error rate 0.0%',
      ].join('\n'),
    );
    // The CLI prints these live: plain descriptions; kind and service travel in each step's meta.
    expect(events.filter((event) => event.type === 'step-started').map((event) => event.description)).toEqual([
      'Fetch the CI build of 1.4.2 and check it is green',
      'Run the smoke suite of 1.4.2 against web',
      'Deploy 1.4.2 of web to staging',
      'Check web is healthy on 1.4.2',
    ]);
    expect(release.run.plan.map((step) => step.meta)).toEqual([
      { kind: 'build', targetService: null },
      { kind: 'smoke', targetService: 'web' },
      { kind: 'deploy', targetService: 'web' },
      { kind: 'verify', targetService: 'web' },
    ]);
  });

  it('releases 1.4.3 after inserting a fix: the first smoke fails with missing_migration, the retry after the fix passes', async () => {
    const { events, onEvent } = recordEvents();
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.4.3', 'staging', { onEvent, adapters });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(true);
    expect(kinds(release.results)).toEqual(['build', 'smoke', 'fix', 'smoke', 'deploy', 'verify']);
    const [firstSmoke, secondSmoke] = release.results.filter((result) => result.kind === 'smoke');
    expect(firstSmoke).toMatchObject({ success: false, error: expect.stringContaining('missing_migration') });
    expect(secondSmoke).toMatchObject({ success: true, error: null });
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.3']());
    expect(release.decisions).toEqual([WEB_FIX_DECISION]);
    // The revision: fix → smoke (retry, now after the fix) → the remaining deploy and verify.
    expect(release.run.revisions.map((revision) => [revision.kind, revision.failedStepId, revision.stepsAfter.map((step) => step.id)])).toEqual([
      ['revise', 'smoke-web', ['build', 'fix-web', 'smoke-web', 'deploy-web', 'verify-web']],
    ]);
    expect(release.plan?.steps.map((step) => [step.id, step.kind, step.dependsOn])).toEqual([
      ['build', 'build', []],
      ['fix-web', 'fix', ['build']],
      ['smoke-web', 'smoke', ['build', 'fix-web']],
      ['deploy-web', 'deploy', ['smoke-web']],
      ['verify-web', 'verify', ['deploy-web']],
    ]);
    expect(adapters.appliedFixes).toEqual([{ version: '1.4.3', service: 'web', fix: 'missing_migration' }]);
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      'step-started:build',
      'step-finished:build',
      'step-started:smoke-web',
      'step-failed:smoke-web',
      'replan-decided:smoke-web',
      'plan-revised',
      'step-started:fix-web',
      'step-finished:fix-web',
      'step-started:smoke-web',
      'step-finished:smoke-web',
      'step-started:deploy-web',
      'step-finished:deploy-web',
      'step-started:verify-web',
      'step-finished:verify-web',
      'synthesis-finished',
      'run-finished',
    ]);
  });

  it('aborts 1.5.0 when verify finds downstream_db_unreachable, leaving the rollback to the caller', async () => {
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.5.0', 'staging', { adapters });

    expect(release.status).toBe('aborted');
    expect(release.replanned).toBe(true);
    expect(release.results.at(-1)).toEqual({
      stepId: 'verify-web',
      kind: 'verify',
      targetService: 'web',
      success: false,
      output: '',
      error: 'health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)',
    });
    expect(release.results).toEqual(EXPECTED_RESULTS['1.5.0']());
    expect(release.decisions).toEqual([UNHEALTHY_ABORT]);
    expect(release.run.status).toBe('aborted');
    expect(release.run.error).toEqual({ code: 'RUN_ABORTED', message: `The run was aborted: ${UNHEALTHY_ABORT.rationale}` });
    expect(release.run.revisions).toEqual([]);
    // Nothing was rolled back: the deployment stays for the caller to deal with.
    expect(adapters.deployments).toEqual([{ deploymentId: 'dep-staging-web-1', version: '1.5.0', service: 'web', env: 'staging' }]);
  });

  it('aborts an unknown version after its build step fails, without calling any other adapter', async () => {
    const adapters = createReleaseAdapters();

    const release = await runRelease('9.9.9', 'staging', { adapters });

    expect(release.status).toBe('aborted');
    expect(release.results).toEqual([
      { stepId: 'build', kind: 'build', targetService: null, success: false, output: '', error: 'CI has no build of version 9.9.9 (status: not_found)' },
    ]);
    expect(release.decisions).toEqual([
      { action: 'abort', fixStep: null, rationale: 'There is nothing to release: CI has no build of version 9.9.9 (status: not_found)' },
    ]);
    expect(release.run.error).toEqual({
      code: 'RUN_ABORTED',
      message: 'The run was aborted: There is nothing to release: CI has no build of version 9.9.9 (status: not_found)',
    });
    expect(adapters.calls.map((call) => [call.operation, ...call.args])).toEqual([['fetchBuild', '9.9.9']]);
  });

  it('deploys to production when asked: the deployment ids name production', async () => {
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.4.3', 'production', { adapters });

    expect(release.status).toBe('succeeded');
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.3']('production'));
    expect(release.results.find((result) => result.kind === 'deploy')?.output).toBe('deployed web@1.4.3 to production as dep-production-web-1');
    expect(adapters.deployments).toEqual([{ deploymentId: 'dep-production-web-1', version: '1.4.3', service: 'web', env: 'production' }]);
    expect(release.plan?.env).toBe('production');
  });

  it('resolves aborted (run cancelled) with the results so far when the abort signal fires during a deploy', async () => {
    const controller = new AbortController();
    const adapters = createReleaseAdapters({ latencyMs: 40 });

    const release = await runRelease('1.4.2', 'staging', {
      adapters,
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step-started' && event.stepId === 'deploy-web') setTimeout(() => controller.abort(), 10);
      },
    });

    expect(release.status).toBe('aborted');
    expect(release.run.status).toBe('cancelled');
    expect(release.run.error?.code).toBe('RUN_CANCELLED');
    expect(release.results).toEqual([
      ...EXPECTED_RESULTS['1.4.2']().slice(0, 2),
      { stepId: 'deploy-web', kind: 'deploy', targetService: 'web', success: false, output: '', error: 'The run was cancelled' },
    ]);
    // The signal reached the deployer mid-call: no deployment was made and the call never returned.
    expect(adapters.deployments).toEqual([]);
    expect(adapters.calls.map((call) => [call.operation, call.finishedAt === null])).toEqual([
      ['fetchBuild', false],
      ['runSmoke', false],
      ['deploy', true],
    ]);
  });

  it('carries kind and service in step meta, never as a label: no description has a [kind service] prefix; every result has its targetService', async () => {
    const { events, onEvent } = recordEvents();

    const release = await runRelease('1.4.3', 'staging', { services: ['web', 'api'], onEvent });

    const descriptions = [
      ...events.flatMap((event) => (event.type === 'plan-created' ? event.plan.steps.map((step) => step.description) : [])),
      ...events.flatMap((event) => (event.type === 'step-started' ? [event.description] : [])),
      ...release.run.revisions.flatMap((revision) => [...revision.stepsBefore, ...revision.stepsAfter].map((step) => step.description)),
      ...release.run.plan.map((step) => step.description),
      ...(release.plan?.steps ?? []).map((step) => step.description),
    ];
    expect(descriptions).toHaveLength(7 + 9 + 15 + 8 + 8);
    expect(descriptions.filter((description) => /\[(build|smoke|deploy|verify|fix)\b/.test(description))).toEqual([]);
    expect(release.results.map((result) => [result.stepId, result.kind, result.targetService])).toEqual([
      ['build', 'build', null],
      ['smoke-web', 'smoke', 'web'],
      ['smoke-api', 'smoke', 'api'],
      ['fix-web', 'fix', 'web'],
      ['deploy-api', 'deploy', 'api'],
      ['smoke-web', 'smoke', 'web'],
      ['verify-api', 'verify', 'api'],
      ['deploy-web', 'deploy', 'web'],
      ['verify-web', 'verify', 'web'],
    ]);
    expect(release.run.plan.find((step) => step.id === 'fix-web')?.meta).toEqual({ kind: 'fix', targetService: 'web', fix: 'missing_migration' });
  });
});
