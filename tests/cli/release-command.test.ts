import { describe, expect, it } from 'vitest';
import { normalise, runCli, runMain, spawnCli } from './helpers/run-cli.ts';

// In this process through main() but for the piped event lines and Ctrl-C, which keep the process path.

describe('plan-execute release', { timeout: 60_000 }, () => {
  it('--json prints only the release result and exits 0 for the green 1.4.2', async () => {
    const { code, stdout, stderr } = await runMain(['release', '1.4.2', '--env', 'staging', '--json']);
    const release = JSON.parse(stdout);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(Object.keys(release)).toEqual(['status', 'replanned', 'results', 'plan', 'decisions', 'run']);
    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(false);
    expect(release.results.map((result: { kind: string }) => result.kind)).toEqual(['build', 'smoke', 'deploy', 'verify']);
    expect(release.results.every((result: { success: boolean }) => result.success)).toBe(true);
    expect(release.decisions).toEqual([]);
    expect(release.run.status).toBe('completed');
  });

  it('--json shows the fix the replanner inserted for 1.4.3, with --services for two service chains', async () => {
    const { code, stdout } = await runMain(['release', '1.4.3', '--env', 'production', '--services', 'web,api', '--json']);
    const release = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(release.status).toBe('succeeded');
    expect(release.plan.env).toBe('production');
    expect(release.plan.steps.map((step: { id: string }) => step.id).sort()).toEqual([
      'build',
      'deploy-api',
      'deploy-web',
      'fix-web',
      'smoke-api',
      'smoke-web',
      'verify-api',
      'verify-web',
    ]);
    expect(release.decisions.map((decision: { action: string }) => decision.action)).toEqual(['insert_fix']);
    expect(release.run.revisions.map((revision: { kind: string }) => revision.kind)).toEqual(['revise']);
  });

  it('prints one line per event, then the outcome, when stdout is piped (1.4.3: smoke fails, a fix is inserted)', async () => {
    const { code, stdout, stderr } = await runCli(['release', '1.4.3', '--env', 'staging']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(normalise(stdout)).toBe(`run <id>: Release 1.4.3 to staging for web: fetch the build once, then smoke-test, deploy and verify each ser…
  plan (4 steps): Release 1.4.3 of web to staging
    - build: Fetch the CI build of 1.4.3 and check it is green
    - smoke-web: Run the smoke suite of 1.4.3 against web (after build)
    - deploy-web: Deploy 1.4.3 of web to staging (after smoke-web)
    - verify-web: Check web is healthy on 1.4.3 (after deploy-web)
  > build started
  [x] build: build 1.4.3 is green: sha 3f9c2e1, artifact registry.example.com/shop:1.4.3
  > smoke-web started
  [!] smoke-web failed: smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)
  plan revised (#1, revise): missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again be…
    - build: Fetch the CI build of 1.4.3 and check it is green
    - fix-web: Apply the missing_migration fix to web for 1.4.3 (after build)
    - smoke-web: Run the smoke suite of 1.4.3 against web (after build, fix-web)
    - deploy-web: Deploy 1.4.3 of web to staging (after smoke-web)
    - verify-web: Check web is healthy on 1.4.3 (after deploy-web)
  > fix-web started
  [x] fix-web: applied the missing_migration fix to web@1.4.3
  > smoke-web started
  [x] smoke-web: smoke passed for web@1.4.3: 24/24 checks green
  > deploy-web started
  [x] deploy-web: deployed web@1.4.3 to staging as dep-staging-web-1
  > verify-web started
  [x] verify-web: web@1.4.3 healthy: 5/5 checks green, p95 182 ms, error rate 0.0%
  synthesis done
run completed

release 1.4.3 to staging (web): succeeded after a replan
  decision: insert_fix fix-web: missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again before deploying.
  attempts: build ok, smoke-web failed, fix-web ok, smoke-web ok, deploy-web ok, verify-web ok
`);
  });

  it('exits 2 when the release is aborted (1.5.0: verification fails after the deploy)', async () => {
    const { code, stdout, stderr } = await runMain(['release', '1.5.0', '--env', 'staging']);
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(stdout).toContain('  [!] verify-web failed: health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)\n');
    expect(
      stdout.endsWith(`
release 1.5.0 to staging (web): aborted
  decision: abort: web@1.5.0 is deployed but unhealthy; rolling back is left to the caller. health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)
  attempts: build ok, smoke-web ok, deploy-web ok, verify-web failed
`),
    ).toBe(true);
  });

  it('cancels the release on Ctrl-C (SIGINT), prints the partial results and exits 130', async () => {
    const child = spawnCli(['release', '1.4.3', '--env', 'staging', '--latency', '60000']);
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const started = new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('> build started')) resolve();
      }),
    );
    await started;
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(stderr).toBe('');
    expect(code).toBe(130);
    expect(
      stdout.endsWith(`  > build started
run cancelled: The run was cancelled

release 1.4.3 to staging (web): aborted (cancelled)
  attempts: build failed
`),
    ).toBe(true);
  });
});
