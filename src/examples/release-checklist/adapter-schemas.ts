import { z } from 'zod';
import { ReleaseEnvSchema } from './schemas.ts';

const version = z.string().describe('The release version, such as "1.4.3".');
const service = z.string().describe('The service, such as "web".');

/** Input of CI `fetchBuild`. */
export const FetchBuildInputSchema = z.object({ version });
/** What CI knows about a version's build. */
export const BuildInfoSchema = z.object({
  sha: z.string().nullable().describe('The commit the build was made from; null when CI has no build of the version.'),
  artifact: z.string().nullable().describe('The image or package built; null when CI has no build of the version.'),
  status: z.enum(['success', 'not_found']).describe('"success": a green build exists; "not_found": CI has no build of this version.'),
});

/** Input of the smoke runner's `run`. */
export const RunSmokeInputSchema = z.object({ version, service });
/** What a smoke run reported. */
export const SmokeReportSchema = z.object({
  passed: z.boolean().describe('true when every smoke check passed.'),
  failure: z.string().nullable().describe('The failure pattern, such as "missing_migration"; null when the suite passed.'),
  summary: z.string().describe('One line on what ran and what failed.'),
});

/** Input of the smoke runner's `applyFix`. */
export const ApplyFixInputSchema = z.object({
  version,
  service,
  fix: z.string().describe('The failure pattern to fix, as the smoke run reported it, such as "missing_migration".'),
});
/** What applying a fix did. */
export const FixReportSchema = z.object({
  applied: z.boolean().describe('true when a remedy for the pattern existed and was applied.'),
  summary: z.string().describe('One line on what was applied, or why nothing was.'),
});

/** Input of the deployer's `deploy`. */
export const DeployInputSchema = z.object({ version, service, env: ReleaseEnvSchema });
/** A deployment that was made. */
export const DeploymentSchema = z.object({ deploymentId: z.string().describe('The id of the new deployment; it names the environment.') });

/** Input of the verifier's `checkHealth`. */
export const CheckHealthInputSchema = z.object({ version, service });
/** What a health check found. */
export const HealthReportSchema = z.object({
  healthy: z.boolean().describe('true when the service answers and its dependencies are reachable.'),
  failure: z.string().nullable().describe('The failure pattern, such as "downstream_db_unreachable"; null when healthy.'),
  summary: z.string().describe('One line on the checks and their numbers.'),
});

export type BuildInfo = z.infer<typeof BuildInfoSchema>;
export type SmokeReport = z.infer<typeof SmokeReportSchema>;
export type FixReport = z.infer<typeof FixReportSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;
export type HealthReport = z.infer<typeof HealthReportSchema>;
