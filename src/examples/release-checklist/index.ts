/**
 * The release checklist example: a release orchestrator on the Plan & Execute engine.
 * `runRelease(version, env, options)` plans a shared build and a smoke → deploy → verify chain per
 * service, runs the chains in parallel through CI / smoke / deploy / health adapters, inserts a fix
 * after a known smoke failure and stops on anything else.
 * @module
 */
export { runRelease } from './run-release.ts';
export type { RunReleaseOptions } from './options.ts';
export type { ReleaseRunResult } from './release-result.ts';
export { RELEASE_DEFAULTS } from './constants.ts';

// Schemas (model-facing) and their types.
export {
  RELEASE_TOOL_NAMES,
  ReleaseEnvSchema,
  ReleasePlanSchema,
  ReleasePlanStepSchema,
  ReleaseReplanDecisionSchema,
  ReleaseStepKindSchema,
  ReleaseStepResultSchema,
} from './schemas.ts';
export type {
  ReleaseEnv,
  ReleasePlan,
  ReleasePlanStep,
  ReleaseReplanDecision,
  ReleaseStepKind,
  ReleaseStepResult,
  ReleaseTarget,
  ReleaseToolName,
} from './schemas.ts';

// Integrations: adapters, their canned data, and the Mastra tools over them.
export { createReleaseAdapters, isReleaseAdapters } from './adapters.ts';
export type {
  AdapterCall,
  AdapterCallOptions,
  AppliedFix,
  CiAdapter,
  Deployer,
  DeploymentRecord,
  ReleaseAdapterOptions,
  ReleaseAdapters,
  SmokeRunner,
  Verifier,
} from './adapters.ts';
export type { BuildInfo, Deployment, FixReport, HealthReport, SmokeReport } from './adapter-schemas.ts';
export { CANNED_RELEASES } from './canned-releases.ts';
export type { CannedFailure, CannedRelease } from './canned-releases.ts';
export { ADAPTERS_CONTEXT_KEY, createReleaseTools, releaseRequestContext, releaseToolCatalogue } from './tools.ts';
export type { ReleaseTools } from './tools.ts';

// Roles: the model-backed agents, their prompts, the plan and the replan policy.
export { createReleaseAgents } from './agents.ts';
export type { ReleaseAgentModels, ReleaseAgents } from './agents.ts';
export { RELEASE_EXECUTOR_INSTRUCTIONS, RELEASE_PLANNER_INSTRUCTIONS, RELEASE_REPLANNER_INSTRUCTIONS } from './prompts.ts';
export { draftReleasePlan, releaseTask } from './release-plan.ts';
export { decideReplan, KNOWN_SMOKE_FIXES } from './replan-policy.ts';
export type { ReleaseCompletedStep, ReleasePlanRequest, ReleaseReplanRequest, ReleaseRoles, ReleaseStepReply, ReleaseStepRequest } from './roles.ts';
export { describeToolResult } from './step-outcome.ts';
export type { StepVerdict } from './step-outcome.ts';

// The mapping onto the engine, for reading engine events in release terms.
export { fromPlanStep, parseStepDescription, toEngineDecision, toPlanStep, TOOL_FOR_KIND } from './plan-mapping.ts';
export type { StepLabel } from './plan-mapping.ts';
