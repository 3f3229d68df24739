import type { RequestContext } from '@mastra/core/request-context';
import { ZERO_USAGE } from '../../engine/usage.ts';
import type { StepOutcome } from '../../index.ts';
import type { ReleaseAdapters } from './adapters.ts';
import type { ReleaseRoles } from './engine-ports.ts';
import { draftReleasePlan } from './release-plan.ts';
import { decideReplan } from './replan-policy.ts';
import {
  BuildInfoSchema,
  DeployInputSchema,
  DeploymentSchema,
  FetchBuildInputSchema,
  FixReportSchema,
  HealthReportSchema,
  SmokeReportSchema,
  TOOL_FOR_KIND,
  type ReleaseStepMeta,
  type ReleaseTarget,
  type ReleaseToolName,
} from './schemas.ts';
import { createReleaseTools, releaseRequestContext } from './tools.ts';

/** The one tool call a release step makes. */
export interface ReleaseToolCall {
  readonly tool: ReleaseToolName;
  readonly input: Readonly<Record<string, string>>;
}

const passed = (output: string): StepOutcome => ({ success: true, output, error: null });
const failed = (error: string): StepOutcome => ({ success: false, output: '', error });

/** The tool and input a step calls, read from its meta and the release; a string says what the meta lacks. */
export function toolCallOf(stepId: string, { kind, targetService: service, fix }: ReleaseStepMeta, { version, env }: ReleaseTarget): ReleaseToolCall | string {
  const tool = TOOL_FOR_KIND[kind];
  if (kind === 'build') return { tool, input: { version } };
  if (service === null) return `The ${kind} step "${stepId}" names no service`;
  if (kind === 'deploy') return { tool, input: { version, service, env } };
  if (kind !== 'fix') return { tool, input: { version, service } };
  return fix === undefined ? `The fix step "${stepId}" names no failure pattern to fix` : { tool, input: { version, service, fix } };
}

/**
 * A release tool's input and output as the step outcome the deterministic executor reports: what
 * a well-behaved executor model answers after the tool call. Failures keep the tool's pattern,
 * which the replanner looks for.
 */
export function describeToolResult(tool: ReleaseToolName, input: unknown, output: unknown): StepOutcome {
  switch (tool) {
    case 'fetchBuild': {
      const { version } = FetchBuildInputSchema.parse(input);
      const build = BuildInfoSchema.parse(output);
      return build.status === 'success'
        ? passed(`build ${version} is green: sha ${build.sha}, artifact ${build.artifact}`)
        : failed(`CI has no build of version ${version} (status: ${build.status})`);
    }
    case 'deploy': {
      const { version, service, env } = DeployInputSchema.parse(input);
      return passed(`deployed ${service}@${version} to ${env} as ${DeploymentSchema.parse(output).deploymentId}`);
    }
    case 'runSmoke': {
      const report = SmokeReportSchema.parse(output);
      return report.passed ? passed(report.summary) : failed(report.summary);
    }
    case 'applyFix': {
      const report = FixReportSchema.parse(output);
      return report.applied ? passed(report.summary) : failed(report.summary);
    }
    case 'checkHealth': {
      const report = HealthReportSchema.parse(output);
      return report.healthy ? passed(report.summary) : failed(report.summary);
    }
  }
}

/** A release tool called from code rather than by a model. */
type ToolRun = (input: unknown, context: { requestContext: RequestContext; abortSignal: AbortSignal }) => Promise<unknown>;

/**
 * The release roles without a model: the standard plan, the replan policy, and an executor that
 * makes each step's one tool call itself, through the same release tools a model would call.
 * Deterministic and offline; every reply costs zero tokens.
 */
export function deterministicRoles(adapters: ReleaseAdapters): ReleaseRoles {
  const tools = createReleaseTools();
  const requestContext = releaseRequestContext(adapters);
  return {
    plan: async ({ target }) => ({ value: draftReleasePlan(target), usage: ZERO_USAGE }),
    replan: async (request) => ({ value: decideReplan(request), usage: ZERO_USAGE }),
    async execute({ target, meta, request }) {
      const call = toolCallOf(request.step.id, meta, target);
      if (typeof call === 'string') return { value: failed(call), usage: ZERO_USAGE, toolCalls: 0 };
      const output = await (tools[call.tool].execute as ToolRun)(call.input, { requestContext, abortSignal: request.abortSignal });
      return { value: describeToolResult(call.tool, call.input, output), usage: ZERO_USAGE, toolCalls: 1 };
    },
  };
}
