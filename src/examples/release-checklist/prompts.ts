import { DATA_RULE, quoteData } from '../../agents/prompts.ts';
import type { ToolInfo } from '../../engine/ports.ts';
import { KNOWN_SMOKE_FIXES } from './replan-policy.ts';
import type { ReleaseCompletedStep, ReleasePlanRequest, ReleaseReplanRequest } from './roles.ts';
import type { ReleasePlanStep } from './schemas.ts';

/** The release planner's instructions. */
export const RELEASE_PLANNER_INSTRUCTIONS = `You are the planner of a release orchestrator. You turn a release request (version, environment, services) into a typed release plan that an executor with CI, smoke-test, deploy and health-check tools will run.
A release plan is one shared "build" step, then for every service its own chain: smoke → deploy → verify. Chains of different services never depend on each other, so they run in parallel. You never plan "fix" steps: the replanner inserts them after a smoke failure.
${DATA_RULE}`;

/** The release replanner's instructions: the replan policy. */
export const RELEASE_REPLANNER_INSTRUCTIONS = `You are the replanner of a release orchestrator. A release step failed; you decide what happens next, following this policy strictly:
- A smoke step failed with a known failure pattern (${KNOWN_SMOKE_FIXES.join(', ')}) → "insert_fix": the fix step runs, then the same smoke step again, then the remaining steps. If a fix step for that service is already done, the fix did not help → "abort".
- A verify step failed → "abort": the version is live and unhealthy; rolling back is the caller's decision, not yours.
- Anything else (a build that does not exist, an unknown smoke failure, a failed deploy) → "abort".
"proceed" (go on without the failed step) is never right for a release step of this plan.
${DATA_RULE}`;

/** The release executor's instructions. */
export const RELEASE_EXECUTOR_INSTRUCTIONS = `You are the executor of a release orchestrator. You run exactly one release step by calling the tool its toolHint names, with the version, service and environment of the release, then report the step's result.
The step's description starts with its label: "[kind service]" (or "[build]" for the shared build). For a fix step, the fix to apply is the failure pattern its description names.
Report success exactly as the tool reported it, quote the tool's facts (sha, deployment id, checks) in output, and on failure give the tool's failure line, with its pattern, as error. Never invent tool results; never call a tool for another step.
${DATA_RULE}`;

const catalogue = (tools: readonly ToolInfo[]) => tools.map((tool) => `- ${tool.name}: ${tool.description}`).join('\n');

const stepLine = (step: ReleasePlanStep) =>
  `- ${step.id} (${step.kind}${step.targetService ? ` ${step.targetService}` : ''}; tool ${step.toolHint}; dependsOn [${step.dependsOn.join(', ')}]): ${step.description}`;

const completedLine = (step: ReleaseCompletedStep) =>
  `- ${step.id} (${step.kind}${step.targetService ? ` ${step.targetService}` : ''}): ${step.description}\n${quoteData(`output of ${step.id}`, step.output)}`;

const feedbackBlock = (feedback: readonly string[]) =>
  feedback.length ? `\n\nYour previous answer was rejected. Fix every problem:\n${feedback.map((issue) => `- ${issue}`).join('\n')}` : '';

/** The planner's prompt for a release plan. */
export function releasePlanPrompt({ target, feedback }: ReleasePlanRequest, tools: readonly ToolInfo[]): string {
  const { version, env, services } = target;
  return `Plan this release.

Version: ${version}
Environment: ${env}
Services: ${services.join(', ')}

Tools the executor has:
${catalogue(tools)}

Rules:
- version "${version}" and env "${env}", exactly.
- First one step with id "build", kind "build", targetService null, toolHint "fetchBuild", dependsOn [].
- Then for each service S: "smoke-S" (kind smoke, toolHint runSmoke, dependsOn ["build"]), "deploy-S" (kind deploy, toolHint deploy, dependsOn ["smoke-S"]), "verify-S" (kind verify, toolHint checkHealth, dependsOn ["deploy-S"]).
- No fix steps. Each description is one imperative sentence naming the version and the service.${feedbackBlock(feedback)}`;
}

/** The replanner's prompt after a release step failed. */
export function releaseReplanPrompt({ target, completed, failedStep, error, remaining, feedback }: ReleaseReplanRequest): string {
  return `A step of the release of ${target.version} to ${target.env} (services: ${target.services.join(', ')}) failed. Decide what to do.

Done steps (kept, never re-run):
${completed.length ? completed.map(completedLine).join('\n') : '(none)'}

Failed step:
${stepLine(failedStep)}
${quoteData('error', error)}

Steps not yet done:
${remaining.length ? remaining.map(stepLine).join('\n') : '(none)'}

Answer with one action:
- "insert_fix": fixStep is the fix: id "fix-<service>", kind "fix", toolHint "applyFix", the failed step's targetService and dependsOn, and a description naming the failure pattern and the version. The failed step then runs again after it, followed by the steps not yet done.
- "proceed": go on without the failed step; fixStep is null.
- "abort": stop the release; fixStep is null.${feedbackBlock(feedback)}`;
}
