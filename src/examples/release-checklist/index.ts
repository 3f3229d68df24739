/**
 * The release checklist example: a release orchestrator on the Plan & Execute engine.
 * `runRelease(version, env, options)` plans a shared build and a smoke → deploy → verify chain per
 * service, runs the chains in parallel through CI / smoke / deploy / health adapters, inserts a fix
 * after a known smoke failure and stops on anything else. Each engine step carries its release
 * kind and service in `meta` (ReleaseStepMetaSchema), so events and results read in release terms.
 * @module
 */
export { runRelease } from './run-release.ts';
export type { ReleaseRunResult, RunReleaseOptions } from './run-release.ts';
export { createReleaseAdapters } from './adapters.ts';
export type { ReleaseAdapters } from './adapters.ts';
export { createReleaseAgents } from './agents.ts';
export type { ReleaseAgents } from './agents.ts';
export { createReleaseWorkflow, ReleaseInputSchema, ReleaseOutputSchema } from './release-workflow.ts';
export type { ReleaseWorkflowOptions } from './release-workflow.ts';
export { ReleaseStepMetaSchema } from './schemas.ts';
export type { ReleaseEnv, ReleaseReplanDecision, ReleaseStepMeta, ReleaseStepResult } from './schemas.ts';
