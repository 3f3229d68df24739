import { z } from 'zod';

/** The names the executor knows the release tools by, one per step kind. */
export const RELEASE_TOOL_NAMES = ['fetchBuild', 'runSmoke', 'applyFix', 'deploy', 'checkHealth'] as const;

/** The tool that does each kind of step. */
export const TOOL_FOR_KIND = Object.freeze({
  build: 'fetchBuild',
  smoke: 'runSmoke',
  deploy: 'deploy',
  verify: 'checkHealth',
  fix: 'applyFix',
} as const satisfies Record<ReleaseStepKind, ReleaseToolName>);

/** Where a release goes. */
export const ReleaseEnvSchema = z
  .enum(['staging', 'production'])
  .describe('The environment the release goes to: "staging" for rehearsal, "production" for customers.');

/** What a release step does; `fix` is only ever inserted by the replanner. */
export const ReleaseStepKindSchema = z
  .enum(['build', 'smoke', 'deploy', 'verify', 'fix'])
  .describe(
    '"build": fetch the CI build of the version; "smoke": run the smoke suite against one service; "deploy": roll the version out to one service; ' +
      '"verify": check one service is healthy after its deploy; "fix": apply a known remedy for a smoke failure (only the replanner inserts fix steps).',
  );

const targetService = z
  .string()
  .nullable()
  .describe('The service the step acts on, one of the services being released (such as "web"); null only for the build, which every service shares.');

/** One step of a release plan, as the release planner model writes it. */
export const ReleasePlanStepSchema = z.object({
  id: z.string().describe('Short unique id of the step, such as "build" or "smoke-web". Other steps name it in dependsOn.'),
  kind: ReleaseStepKindSchema,
  targetService,
  description: z.string().describe('What the executor must do, in one imperative sentence naming the version and the service.'),
  toolHint: z
    .enum(RELEASE_TOOL_NAMES)
    .describe('The tool that does this step: fetchBuild for build, runSmoke for smoke, deploy for deploy, checkHealth for verify, applyFix for fix.'),
  dependsOn: z
    .array(z.string())
    .describe(
      'Ids of the steps that must finish first. Each service chain is build → smoke → deploy → verify; chains of different services do not depend on each other.',
    ),
});

/** A whole release plan for one version and environment. */
export const ReleasePlanSchema = z.object({
  version: z.string().describe('The version being released, exactly as requested, such as "1.4.3".'),
  env: ReleaseEnvSchema,
  goal: z.string().describe('The release restated as one sentence: version, services and environment.'),
  steps: z.array(ReleasePlanStepSchema).describe('The steps in execution order: the build first, then each service chain.'),
  rationale: z.string().nullable().describe('One or two sentences on why the plan has this shape, or null.'),
});

/**
 * What the engine carries for the example on every release step (`PlanStep.meta`): the executor
 * reads it to know which tool to call with what, and results take their kind and service from it.
 */
export const ReleaseStepMetaSchema = z.object({
  kind: ReleaseStepKindSchema,
  targetService,
  fix: z.string().optional().describe('For a fix step: the failure pattern it remedies, such as "missing_migration".'),
});

/** One entry of a release's results: a step attempt, with the kind and service its meta gave it. */
export const ReleaseStepResultSchema = z.object({
  stepId: z.string().describe('The id of the step that ran.'),
  kind: ReleaseStepKindSchema,
  targetService,
  success: z.boolean().describe('true when the tool reported success (build found, smoke passed, fix applied, deployed, healthy); false otherwise.'),
  output: z.string().describe("What the step produced, quoting the tool's facts (sha, deployment id, checks passed). Empty when it failed."),
  error: z.string().nullable().describe('Why the step failed, naming the failure pattern the tool reported (such as "missing_migration"); null on success.'),
});

/** The replanner's answer after a release step failed. */
export const ReleaseReplanDecisionSchema = z.object({
  action: z
    .enum(['insert_fix', 'proceed', 'abort'])
    .describe(
      '"insert_fix": a smoke step failed with a known pattern; run fixStep, then the smoke step again, then the remaining steps. ' +
        '"proceed": go on without the failed step. "abort": stop the release; rolling back is left to the caller.',
    ),
  fixStep: ReleasePlanStepSchema.nullable().describe(
    'For "insert_fix": the fix step (kind "fix", toolHint "applyFix", the failed step\'s targetService and dependsOn, a description naming the failure pattern). null otherwise.',
  ),
  rationale: z.string().describe('Why this action, in one or two sentences.'),
});

// The adapters' inputs and outputs, which are also the release tools' schemas.
const version = z.string().describe('The release version, such as "1.4.3".');
const service = z.string().describe('The service, such as "web".');

/** Input of CI `fetchBuild`. */
export const FetchBuildInputSchema = z.object({ version });
/** Input of the smoke runner's `run`, and of the verifier's `checkHealth`. */
export const ServiceInputSchema = z.object({ version, service });
/** Input of the smoke runner's `applyFix`. */
export const ApplyFixInputSchema = z.object({
  version,
  service,
  fix: z.string().describe('The failure pattern to fix, as the smoke run reported it, such as "missing_migration".'),
});
/** Input of the deployer's `deploy`. */
export const DeployInputSchema = z.object({ version, service, env: ReleaseEnvSchema });

/** What CI knows about a version's build. */
export const BuildInfoSchema = z.object({
  sha: z.string().nullable().describe('The commit the build was made from; null when CI has no build of the version.'),
  artifact: z.string().nullable().describe('The image or package built; null when CI has no build of the version.'),
  status: z.enum(['success', 'not_found']).describe('"success": a green build exists; "not_found": CI has no build of this version.'),
});
/** What a smoke run reported. */
export const SmokeReportSchema = z.object({
  passed: z.boolean().describe('true when every smoke check passed.'),
  failure: z.string().nullable().describe('The failure pattern, such as "missing_migration"; null when the suite passed.'),
  summary: z.string().describe('One line on what ran and what failed.'),
});
/** What applying a fix did. */
export const FixReportSchema = z.object({
  applied: z.boolean().describe('true when a remedy for the pattern existed and was applied.'),
  summary: z.string().describe('One line on what was applied, or why nothing was.'),
});
/** A deployment that was made. */
export const DeploymentSchema = z.object({ deploymentId: z.string().describe('The id of the new deployment; it names the environment.') });
/** What a health check found. */
export const HealthReportSchema = z.object({
  healthy: z.boolean().describe('true when the service answers and its dependencies are reachable.'),
  failure: z.string().nullable().describe('The failure pattern, such as "downstream_db_unreachable"; null when healthy.'),
  summary: z.string().describe('One line on the checks and their numbers.'),
});

export type ReleaseToolName = (typeof RELEASE_TOOL_NAMES)[number];
export type ReleaseEnv = z.infer<typeof ReleaseEnvSchema>;
export type ReleaseStepKind = z.infer<typeof ReleaseStepKindSchema>;
export type ReleasePlanStep = z.infer<typeof ReleasePlanStepSchema>;
export type ReleasePlan = z.infer<typeof ReleasePlanSchema>;
export type ReleaseStepMeta = z.infer<typeof ReleaseStepMetaSchema>;
export type ReleaseStepResult = z.infer<typeof ReleaseStepResultSchema>;
export type ReleaseReplanDecision = z.infer<typeof ReleaseReplanDecisionSchema>;
export type BuildInfo = z.infer<typeof BuildInfoSchema>;
export type SmokeReport = z.infer<typeof SmokeReportSchema>;
export type FixReport = z.infer<typeof FixReportSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;
export type HealthReport = z.infer<typeof HealthReportSchema>;

/** What one release run is about: the version, where it goes, and which services. */
export interface ReleaseTarget {
  /** The version being released. */
  readonly version: string;
  /** Where it goes. */
  readonly env: ReleaseEnv;
  /** The services released, each with its own smoke → deploy → verify chain. */
  readonly services: readonly string[];
}
