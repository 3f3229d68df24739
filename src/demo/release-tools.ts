import { createTool } from '@mastra/core/tools';
import { z } from 'zod';

/** The checks the demo's release pipeline knows. */
export const RELEASE_CHECKS = ['build', 'migrate', 'smoke', 'deploy', 'verify'] as const;

/** What the pipeline tool reports. */
export interface CheckReport {
  /** Whether the check passed. */
  readonly ok: boolean;
  /** What the check printed. */
  readonly log: string;
}

/**
 * A simulated release pipeline for one run: smoke tests fail with `missing_migration` until a
 * `migrate` check has run. State lives in the returned object, never in the module.
 */
export function createReleasePipeline(version: string) {
  const state = { migrated: false, executed: [] as string[] };
  const run = (check: (typeof RELEASE_CHECKS)[number]): CheckReport => {
    state.executed.push(check);
    switch (check) {
      case 'build':
        return { ok: true, log: `built ${version}: artifact app-${version}.tgz, sha 3f9c2e1` };
      case 'migrate':
        state.migrated = true;
        return { ok: true, log: 'applied migration 0042_add_invoice_status' };
      case 'smoke':
        return state.migrated
          ? { ok: true, log: '24/24 smoke tests passed' }
          : { ok: false, log: '23/24 smoke tests passed; failure: missing_migration (column invoices.status does not exist)' };
      case 'deploy':
        return { ok: true, log: `deployed ${version} to staging as deployment dep-7781` };
      case 'verify':
        return { ok: true, log: 'health checks green: p95 182 ms, error rate 0.0%' };
    }
  };
  const tool = createTool({
    id: 'pipeline',
    description: `Runs one release check for version ${version}: ${RELEASE_CHECKS.join(', ')}. Returns ok and the check's log.`,
    inputSchema: z.object({ check: z.enum(RELEASE_CHECKS).describe('Which check to run') }),
    outputSchema: z.object({ ok: z.boolean(), log: z.string() }),
    execute: async ({ check }) => run(check),
  });
  return { tool, state };
}
