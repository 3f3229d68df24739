import { describeToolResult } from '../../../src/examples/release-checklist/deterministic-roles.ts';
import type { ReleasePlan, ReleaseReplanDecision, ReleaseToolName } from '../../../src/examples/release-checklist/schemas.ts';
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
      {
        id: 'build',
        kind: 'build',
        targetService: null,
        description: `Fetch the CI build of ${version} and check it is green`,
        toolHint: 'fetchBuild',
        dependsOn: [],
      },
      {
        id: 'smoke-web',
        kind: 'smoke',
        targetService: 'web',
        description: `Run the smoke suite of ${version} against web`,
        toolHint: 'runSmoke',
        dependsOn: ['build'],
      },
      {
        id: 'deploy-web',
        kind: 'deploy',
        targetService: 'web',
        description: `Deploy ${version} of web to ${env}`,
        toolHint: 'deploy',
        dependsOn: ['smoke-web'],
      },
      {
        id: 'verify-web',
        kind: 'verify',
        targetService: 'web',
        description: `Check web is healthy on ${version}`,
        toolHint: 'checkHealth',
        dependsOn: ['deploy-web'],
      },
    ],
  };
}

/** A planner model that answers each call with the next of `answers` as JSON. */
export function scriptedPlanner(answers: readonly (ReleasePlan | ReleaseReplanDecision | object)[], name = 'release-planner') {
  return createScriptedModel(
    answers.map((answer) => json(answer)),
    { name },
  );
}

/** The step id and the tool call the step prompt asks for (the release line comes from the step's meta). */
function readStep(call: ScriptedCall) {
  const prompt = userText(call.prompt);
  const stepId = /Your step \(([^)]+)\)/.exec(prompt)?.[1];
  const request = /Call (\w+) once with this input: (\{.*\})$/m.exec(prompt);
  if (!stepId || !request) throw new Error(`Not a release step prompt: ${prompt.slice(0, 200)}`);
  return { stepId, tool: request[1] as ReleaseToolName, input: JSON.parse(request[2]!) as Record<string, string> };
}

/**
 * One executor model call, decided from the prompt alone (parallel steps interleave, so order says
 * nothing): a fresh step prompt → call the tool it names; a tool result last → report it as the step's outcome.
 */
function answerStep(call: ScriptedCall): ScriptedReply {
  const { stepId, tool, input } = readStep(call);
  const last = call.prompt.at(-1);
  if (last?.role !== 'tool') return toolCall(tool, input, { id: `${stepId}-call` });
  const result = last.content.find((part) => part.type === 'tool-result');
  if (result?.type !== 'tool-result' || result.output.type !== 'json') throw new Error(`No JSON tool result for ${stepId}`);
  return json(describeToolResult(tool, input, result.output.value));
}

/** An executor model that reads each call's prompt; it answers exactly `calls` calls, then fails loudly. */
export function scriptedExecutor(calls: number) {
  return createScriptedModel(
    Array.from({ length: calls }, () => answerStep),
    { name: 'release-executor' },
  );
}
