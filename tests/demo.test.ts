import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('prints the live progress of one release run with a replan, then the result', async () => {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['src/demo.ts'], {
      env: { ...process.env, MASTRA_TELEMETRY_DISABLED: '1' },
    });
    const normalised = stdout.replace(/^run [0-9a-f]{8}:/m, 'run <id>:').replace(/in \d+ ms/, 'in <n> ms');
    expect(stderr).toBe('');
    expect(normalised).toBe(`run <id>: Release version 1.4.3 to staging: build, smoke-test, deploy and verify.
  plan (4 steps): Release 1.4.3 to staging
    - build: Build the release artifact
    - smoke: Run the smoke tests (after build)
    - deploy: Deploy to staging (after smoke)
    - verify: Verify health after the deploy (after deploy)
  > build started
  [x] build: built 1.4.3: artifact app-1.4.3.tgz, sha 3f9c2e1
  > smoke started
  [!] smoke failed: 23/24 smoke tests passed; failure: missing_migration (column invoices.status does not exist)
  plan revised (#1, revise): missing_migration is a known smoke failure: apply the migration, then smoke-test again.
    - build: Build the release artifact
    - migrate: Apply the pending database migration (after build)
    - smoke: Run the smoke tests again (after migrate)
    - deploy: Deploy to staging (after smoke)
    - verify: Verify health after the deploy (after deploy)
  > migrate started
  [x] migrate: applied migration 0042_add_invoice_status
  > smoke started
  [x] smoke: 24/24 smoke tests passed
  > deploy started
  [x] deploy: deployed 1.4.3 to staging as deployment dep-7781
  > verify started
  [x] verify: health checks green: p95 182 ms, error rate 0.0%
  synthesis done
run completed

status: completed (replanned 1x)
final plan:
  [x] build: Build the release artifact
  [x] migrate: Apply the pending database migration
  [x] smoke: Run the smoke tests again
  [x] deploy: Deploy to staging
  [x] verify: Verify health after the deploy
answer: Release 1.4.3 is live on staging. The first smoke run failed (missing_migration); the migration was applied and the smoke tests passed on the second run. Deployment dep-7781 is healthy.
tokens: 450 (planner 60, executor 360, synthesizer 30); 6 step attempts in <n> ms
pipeline checks executed: build → smoke → migrate → smoke → deploy → verify
`);
  });
});
