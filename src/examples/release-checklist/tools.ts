import { RequestContext } from '@mastra/core/request-context';
import { createTool } from '@mastra/core/tools';
import type { ToolInfo } from '../../index.ts';
import { isReleaseAdapters, type ReleaseAdapters } from './adapters.ts';
import {
  ApplyFixInputSchema,
  BuildInfoSchema,
  DeployInputSchema,
  DeploymentSchema,
  FetchBuildInputSchema,
  FixReportSchema,
  HealthReportSchema,
  type ReleaseToolName,
  ServiceInputSchema,
  SmokeReportSchema,
} from './schemas.ts';

/** The request-context key under which a run hands its adapters to the release tools. */
export const ADAPTERS_CONTEXT_KEY = 'release-checklist.adapters';

/** A request context carrying `adapters`, for `agent.generate(prompt, { requestContext })`. */
export function releaseRequestContext(adapters: ReleaseAdapters): RequestContext {
  const context = new RequestContext();
  context.set(ADAPTERS_CONTEXT_KEY, adapters);
  return context;
}

// The tools are stateless: each call finds its run's adapters in the request context, so one
// executor Agent serves any number of parallel runs without sharing their state.
function adaptersOf(context: { requestContext?: { get(key: string): unknown } }): ReleaseAdapters {
  const adapters = context.requestContext?.get(ADAPTERS_CONTEXT_KEY);
  if (!isReleaseAdapters(adapters)) {
    throw new Error(`The release tools need the run's adapters in the request context under "${ADAPTERS_CONTEXT_KEY}"; see releaseRequestContext()`);
  }
  return adapters;
}

/**
 * The release integrations as Mastra tools, keyed by the names plans use in `toolHint`: each wraps
 * one adapter call with the adapter's own signature. Give them to the executor Agent.
 */
export function createReleaseTools() {
  return {
    fetchBuild: createTool({
      id: 'fetchBuild',
      description: 'CI: fetch the build of a release version: its commit sha, artifact and status ("not_found" when CI has no such version).',
      inputSchema: FetchBuildInputSchema,
      outputSchema: BuildInfoSchema,
      execute: async ({ version }, context) => adaptersOf(context).ci.fetchBuild(version, { abortSignal: context.abortSignal }),
    }),
    runSmoke: createTool({
      id: 'runSmoke',
      description: 'Smoke runner: run the smoke suite of a version against one service; reports passed and the failure pattern (such as missing_migration).',
      inputSchema: ServiceInputSchema,
      outputSchema: SmokeReportSchema,
      execute: async ({ version, service }, context) => adaptersOf(context).smoke.run(version, service, { abortSignal: context.abortSignal }),
    }),
    applyFix: createTool({
      id: 'applyFix',
      description: "Smoke runner: apply the known remedy for a smoke failure pattern (such as missing_migration) to one service's release.",
      inputSchema: ApplyFixInputSchema,
      outputSchema: FixReportSchema,
      execute: async ({ version, service, fix }, context) => adaptersOf(context).smoke.applyFix(version, service, fix, { abortSignal: context.abortSignal }),
    }),
    deploy: createTool({
      id: 'deploy',
      description: 'Deployer: roll a version of one service out to an environment; returns the deployment id.',
      inputSchema: DeployInputSchema,
      outputSchema: DeploymentSchema,
      execute: async ({ version, service, env }, context) => adaptersOf(context).deployer.deploy(version, service, env, { abortSignal: context.abortSignal }),
    }),
    checkHealth: createTool({
      id: 'checkHealth',
      description: 'Verifier: check that one service is healthy on a version after its deploy; reports the failure pattern when not.',
      inputSchema: ServiceInputSchema,
      outputSchema: HealthReportSchema,
      execute: async ({ version, service }, context) => adaptersOf(context).verifier.checkHealth(version, service, { abortSignal: context.abortSignal }),
    }),
  } satisfies Record<ReleaseToolName, unknown>;
}

/** The tool catalogue the planner sees and `toolHint` is checked against. */
export function releaseToolCatalogue(): ToolInfo[] {
  return Object.entries(createReleaseTools()).map(([name, tool]) => ({ name, description: tool.description }));
}
