import { describe, expect, it } from 'vitest';
import { normalise, runCli } from './helpers/run-cli.ts';

// `npm run demo` is `node --import tsx src/cli.ts demo`.
describe('plan-execute demo', { timeout: 90_000 }, () => {
  it('runs the three release paths one after another, each with its progress and outcome, and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['demo']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(normalise(stdout)).toBe(`== 1/3 release 1.4.2 to staging: every check passes ==
run <id>: Release 1.4.2 to staging for web: fetch the build once, then smoke-test, deploy and verify each ser…
  plan (4 steps): Release 1.4.2 of web to staging
    - build: Fetch the CI build of 1.4.2 and check it is green
    - smoke-web: Run the smoke suite of 1.4.2 against web (after build)
    - deploy-web: Deploy 1.4.2 of web to staging (after smoke-web)
    - verify-web: Check web is healthy on 1.4.2 (after deploy-web)
  > build started
  [x] build: build 1.4.2 is green: sha 9e1c4b7, artifact registry.example.com/shop:1.4.2
  > smoke-web started
  [x] smoke-web: smoke passed for web@1.4.2: 24/24 checks green
  > deploy-web started
  [x] deploy-web: deployed web@1.4.2 to staging as dep-staging-web-1
  > verify-web started
  [x] verify-web: web@1.4.2 healthy: 5/5 checks green, p95 182 ms, error rate 0.0%
  synthesis done
run completed

release 1.4.2 to staging (web): succeeded
  attempts: build ok, smoke-web ok, deploy-web ok, verify-web ok

== 2/3 release 1.4.3 to staging: the smoke test fails with missing_migration; the replanner inserts a fix ==
run <id>: Release 1.4.3 to staging for web: fetch the build once, then smoke-test, deploy and verify each ser…
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

== 3/3 release 1.5.0 to staging: the health check fails after the deploy; the replanner aborts the release ==
run <id>: Release 1.5.0 to staging for web: fetch the build once, then smoke-test, deploy and verify each ser…
  plan (4 steps): Release 1.5.0 of web to staging
    - build: Fetch the CI build of 1.5.0 and check it is green
    - smoke-web: Run the smoke suite of 1.5.0 against web (after build)
    - deploy-web: Deploy 1.5.0 of web to staging (after smoke-web)
    - verify-web: Check web is healthy on 1.5.0 (after deploy-web)
  > build started
  [x] build: build 1.5.0 is green: sha b04d6aa, artifact registry.example.com/shop:1.5.0
  > smoke-web started
  [x] smoke-web: smoke passed for web@1.5.0: 24/24 checks green
  > deploy-web started
  [x] deploy-web: deployed web@1.5.0 to staging as dep-staging-web-1
  > verify-web started
  [!] verify-web failed: health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)
run aborted: The run was aborted: web@1.5.0 is deployed but unhealthy; rolling back is left to the caller. health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)

release 1.5.0 to staging (web): aborted
  decision: abort: web@1.5.0 is deployed but unhealthy; rolling back is left to the caller. health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)
  attempts: build ok, smoke-web ok, deploy-web ok, verify-web failed
`);
  });

  it('--json prints the three release results as one JSON array', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--json']);
    const releases = JSON.parse(stdout) as Array<{ status: string; replanned: boolean; plan: { version: string }; results: Array<{ kind: string }> }>;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(releases.map(({ plan, status, replanned }) => [plan.version, status, replanned])).toEqual([
      ['1.4.2', 'succeeded', false],
      ['1.4.3', 'succeeded', true],
      ['1.5.0', 'aborted', true],
    ]);
    expect(releases[1]?.results.map((result) => result.kind)).toEqual(['build', 'smoke', 'fix', 'smoke', 'deploy', 'verify']);
  });
});
