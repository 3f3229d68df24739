import {
  ApplyFixInputSchema,
  BuildInfoSchema,
  CheckHealthInputSchema,
  DeployInputSchema,
  DeploymentSchema,
  FetchBuildInputSchema,
  FixReportSchema,
  HealthReportSchema,
  RunSmokeInputSchema,
  SmokeReportSchema,
  type BuildInfo,
  type Deployment,
  type FixReport,
  type HealthReport,
  type SmokeReport,
} from './adapter-schemas.ts';
import type { ReleaseEnv, ReleaseStepResult, ReleaseToolName } from './schemas.ts';

/** A step's outcome without its id and kind. */
export type StepVerdict = Pick<ReleaseStepResult, 'success' | 'output' | 'error'>;

const passed = (output: string): StepVerdict => ({ success: true, output, error: null });
const failed = (error: string): StepVerdict => ({ success: false, output: '', error });

/** A CI answer as a step outcome; an unknown version is a failed step. */
export function describeBuild(version: string, build: BuildInfo): StepVerdict {
  return build.status === 'success'
    ? passed(`build ${version} is green: sha ${build.sha}, artifact ${build.artifact}`)
    : failed(`CI has no build of version ${version} (status: ${build.status})`);
}

/** A smoke report as a step outcome; the failure keeps the pattern the replanner looks for. */
export function describeSmoke(report: SmokeReport): StepVerdict {
  return report.passed ? passed(report.summary) : failed(report.summary);
}

/** A fix report as a step outcome. */
export function describeFix(report: FixReport): StepVerdict {
  return report.applied ? passed(report.summary) : failed(report.summary);
}

/** A deployment as a step outcome. */
export function describeDeploy(version: string, service: string, env: ReleaseEnv, deployment: Deployment): StepVerdict {
  return passed(`deployed ${service}@${version} to ${env} as ${deployment.deploymentId}`);
}

/** A health report as a step outcome. */
export function describeHealth(report: HealthReport): StepVerdict {
  return report.healthy ? passed(report.summary) : failed(report.summary);
}

/**
 * A release tool's input and output (as a model sees them) as the step outcome the deterministic
 * executor would report: what a well-behaved executor model answers after the tool call.
 */
export function describeToolResult(toolName: ReleaseToolName, input: unknown, output: unknown): StepVerdict {
  switch (toolName) {
    case 'fetchBuild':
      return describeBuild(FetchBuildInputSchema.parse(input).version, BuildInfoSchema.parse(output));
    case 'runSmoke':
      RunSmokeInputSchema.parse(input);
      return describeSmoke(SmokeReportSchema.parse(output));
    case 'applyFix':
      ApplyFixInputSchema.parse(input);
      return describeFix(FixReportSchema.parse(output));
    case 'deploy': {
      const { version, service, env } = DeployInputSchema.parse(input);
      return describeDeploy(version, service, env, DeploymentSchema.parse(output));
    }
    case 'checkHealth':
      CheckHealthInputSchema.parse(input);
      return describeHealth(HealthReportSchema.parse(output));
  }
}
