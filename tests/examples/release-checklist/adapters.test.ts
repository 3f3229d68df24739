import { RequestContext } from '@mastra/core/request-context';
import { describe, expect, it } from 'vitest';
import { createReleaseAdapters } from '../../../src/examples/release-checklist/index.ts';
import { createReleaseTools, releaseRequestContext, releaseToolCatalogue } from '../../../src/examples/release-checklist/tools.ts';

describe('createReleaseAdapters', () => {
  it('reports an unknown version as not_found, never a throw', async () => {
    const { ci } = createReleaseAdapters();
    expect(await ci.fetchBuild('9.9.9')).toEqual({ sha: null, artifact: null, status: 'not_found' });
    expect(await ci.fetchBuild('1.4.2')).toEqual({ sha: '9e1c4b7', artifact: 'registry.example.com/shop:1.4.2', status: 'success' });
  });

  it("fails 1.4.3's web smoke with missing_migration until the fix is applied, and records the fix once", async () => {
    const adapters = createReleaseAdapters();
    expect(await adapters.smoke.run('1.4.3', 'web')).toEqual({
      passed: false,
      failure: 'missing_migration',
      summary: 'smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)',
    });
    expect(await adapters.smoke.run('1.4.3', 'api')).toMatchObject({ passed: true });
    expect(await adapters.smoke.applyFix('1.4.3', 'web', 'flaky_login')).toEqual({
      applied: false,
      summary: 'no known flaky_login failure to fix on web@1.4.3',
    });
    expect(await adapters.smoke.applyFix('1.4.3', 'web', 'missing_migration')).toEqual({
      applied: true,
      summary: 'applied the missing_migration fix to web@1.4.3',
    });
    expect(await adapters.smoke.applyFix('1.4.3', 'web', 'missing_migration')).toMatchObject({ applied: true });
    expect(await adapters.smoke.run('1.4.3', 'web')).toMatchObject({ passed: true, failure: null });
    expect(adapters.appliedFixes).toEqual([{ version: '1.4.3', service: 'web', fix: 'missing_migration' }]);
  });

  it('fails 1.5.0 health checks with downstream_db_unreachable, and any check of a service never deployed', async () => {
    const adapters = createReleaseAdapters();
    expect(await adapters.verifier.checkHealth('1.4.2', 'web')).toEqual({
      healthy: false,
      failure: 'not_deployed',
      summary: 'web@1.4.2 has no deployment to check',
    });
    expect(await adapters.deployer.deploy('1.5.0', 'api', 'production')).toEqual({ deploymentId: 'dep-production-api-1' });
    expect(await adapters.verifier.checkHealth('1.5.0', 'api')).toMatchObject({ healthy: false, failure: 'downstream_db_unreachable' });
  });

  it('keeps no state between sets', async () => {
    const first = createReleaseAdapters();
    await first.smoke.applyFix('1.4.3', 'web', 'missing_migration');
    await first.deployer.deploy('1.4.3', 'web', 'staging');
    const second = createReleaseAdapters();
    expect(await second.smoke.run('1.4.3', 'web')).toMatchObject({ passed: false });
    expect(await second.deployer.deploy('1.4.3', 'web', 'staging')).toEqual({ deploymentId: 'dep-staging-web-1' });
    expect([second.appliedFixes, second.calls.length]).toEqual([[], 2]);
  });

  it('rejects a call whose signal fires during its latency, leaving it unfinished in the log', async () => {
    const adapters = createReleaseAdapters({ latencyMs: 1_000 });
    const controller = new AbortController();
    const deploying = adapters.deployer.deploy('1.4.2', 'web', 'staging', { abortSignal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(deploying).rejects.toThrow('stop');
    expect(adapters.deployments).toEqual([]);
    expect(adapters.calls).toEqual([{ operation: 'deploy', args: ['1.4.2', 'web', 'staging'], startedAt: expect.any(Number), finishedAt: null }]);
  });

  it.each([
    [-1, '-1 (number)'],
    [1.5, '1.5 (number)'],
    ['10', '"10" (string)'],
  ])('rejects latencyMs %j', (latencyMs, shown) => {
    expect(() => createReleaseAdapters({ latencyMs: latencyMs as number })).toThrow(`Expected \`latencyMs\` to be an integer from 0 and up, got ${shown}`);
  });
});

describe('createReleaseTools', () => {
  it("runs each tool against the adapters in the call's request context", async () => {
    const tools = createReleaseTools();
    const adapters = createReleaseAdapters();
    const context = { requestContext: releaseRequestContext(adapters) } as never;
    expect(await tools.fetchBuild.execute!({ version: '1.4.3' }, context)).toMatchObject({ status: 'success' });
    expect(await tools.applyFix.execute!({ version: '1.4.3', service: 'web', fix: 'missing_migration' }, context)).toMatchObject({ applied: true });
    expect(await tools.runSmoke.execute!({ version: '1.4.3', service: 'web' }, context)).toMatchObject({ passed: true });
    expect(await tools.deploy.execute!({ version: '1.4.3', service: 'web', env: 'staging' }, context)).toEqual({ deploymentId: 'dep-staging-web-1' });
    expect(await tools.checkHealth.execute!({ version: '1.4.3', service: 'web' }, context)).toMatchObject({ healthy: true });
    expect(adapters.calls.map((call) => call.operation)).toEqual(['fetchBuild', 'applyFix', 'runSmoke', 'deploy', 'checkHealth']);
  });

  it('says plainly when a call carries no adapters', async () => {
    const tools = createReleaseTools();
    await expect(tools.fetchBuild.execute!({ version: '1.4.3' }, { requestContext: new RequestContext() } as never)).rejects.toThrow(
      'The release tools need the run\'s adapters in the request context under "release-checklist.adapters"; see releaseRequestContext()',
    );
  });

  it('lists the tools for the planner under the names plans use', () => {
    expect(releaseToolCatalogue().map((tool) => tool.name)).toEqual(['fetchBuild', 'runSmoke', 'applyFix', 'deploy', 'checkHealth']);
  });
});
