import { describeToolResult, type ReleasePlan, type ReleaseReplanDecision, type ReleaseToolName } from '../../../src/examples/release-checklist/index.ts';
import { createScriptedModel, json, toolCall, type ModelPrompt, type ScriptedCall, type ScriptedReply } from '../../../src/testing/index.ts';

/** The text of the user messages of one model call, joined. */
export function userText(prompt: ModelPrompt | undefined): string {
  if (!prompt) throw new Error('No such model call');
  return prompt
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])))
    .join('\n');
}

/** A release plan for `web`, as a planner model would write it. */
export function webPlan(version: string, env: 'staging' | 'production'): ReleasePlan {
  return {
    version,
    env,
    goal: `Release ${version} of web to ${env}`,
    rationale: 'Build once, then smoke, deploy and verify web.',
    steps: [
      { id: 'build', kind: 'build', targetService: null, description: `Fetch the CI build of ${version} and check it is green`, toolHint: 'fetchBuild', dependsOn: [] },
      { id: 'smoke-web', kind: 'smoke', targetService: 'web', description: `Run the smoke suite of ${version} against web`, toolHint: 'runSmoke', dependsOn: ['build'] },
      { id: 'deploy-web', kind: 'deploy', targetService: 'web', description: `Deploy ${version} of web to ${env}`, toolHint: 'deploy', dependsOn: ['smoke-web'] },
      { id: 'verify-web', kind: 'verify', targetService: 'web', description: `Check web is healthy on ${version}`, toolHint: 'checkHealth', dependsOn: ['deploy-web'] },
    ],
  };
}

/** A planner model that answers each call with the next of `answers` as JSON. */
export function scriptedPlanner(answers: readonly (ReleasePlan | ReleaseReplanDecision | object)[], name = 'release-planner') {
  return createScriptedModel(answers.map((answer) => json(answer)), { name });
}

const TOOLS: Record<string, ReleaseToolName> = { build: 'fetchBuild', smoke: 'runSmoke', fix: 'applyFix', deploy: 'deploy', verify: 'checkHealth' };

/** What the step prompt says: the step's id, kind, service and description, and the release's version and env. */
function readStep(call: ScriptedCall) {
  const prompt = userText(call.prompt);
  const step = /Your step \(([^)]+)\): \[(\w+)(?: ([^\]\s]+))?\] (.*)/.exec(prompt);
  const release = /Release (\S+) to (staging|production) for/.exec(prompt);
  if (!step || !release) throw new Error(`Not a release step prompt: ${prompt.slice(0, 200)}`);
  const [, stepId = '', kind = '', service = '', description = ''] = step;
  const [, version = '', env = ''] = release;
  const fix = /Apply the (\w+) fix/.exec(description)?.[1] ?? '';
  const inputs: Record<string, object> = {
    build: { version },
    smoke: { version, service },
    fix: { version, service, fix },
    deploy: { version, service, env },
    verify: { version, service },
  };
  const tool = TOOLS[kind];
  const input = inputs[kind];
  if (!tool || !input) throw new Error(`Unknown step kind "${kind}"`);
  return { stepId, kind, tool, input };
}

/**
 * One executor model call, decided from the prompt alone (parallel steps interleave, so order says
 * nothing): a fresh step prompt → call the step's tool; a tool result last → report it as the step's result.
 */
function answerStep(call: ScriptedCall): ScriptedReply {
  const { stepId, kind, tool, input } = readStep(call);
  const last = call.prompt.at(-1);
  if (last?.role !== 'tool') return toolCall(tool, input, { id: `${stepId}-call` });
  const result = last.content.find((part) => part.type === 'tool-result');
  if (result?.type !== 'tool-result' || result.output.type !== 'json') throw new Error(`No JSON tool result for ${stepId}`);
  return json({ stepId, kind, ...describeToolResult(tool, input, result.output.value) });
}

/** An executor model that reads each call's prompt; it answers exactly `calls` calls, then fails loudly. */
export function scriptedExecutor(calls: number) {
  return createScriptedModel(Array.from({ length: calls }, () => answerStep), { name: 'release-executor' });
}
