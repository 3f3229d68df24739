import type { PlanStep } from '../engine/plan-schema.ts';
import { createScriptedModel, scriptPlan, scriptReplan, scriptStepOutcome, text, toolCall, type ScriptedCall } from '../testing/index.ts';

const step = (id: string, description: string, dependsOn: string[]): PlanStep => ({
  id,
  description,
  expectedOutput: `the ${id} check's log, passed`,
  dependsOn,
  toolHint: 'pipeline',
});

/** The demo planner: a release plan first, then a revision that inserts a migration before smoke. */
export function scriptedPlanner() {
  return createScriptedModel(
    [
      scriptPlan({
        goal: 'Release 1.4.3 to staging',
        rationale: 'Build once, smoke-test, deploy, then verify health.',
        steps: [step('build', 'Build the release artifact', []), step('smoke', 'Run the smoke tests', ['build']), step('deploy', 'Deploy to staging', ['smoke']), step('verify', 'Verify health after the deploy', ['deploy'])],
      }),
      scriptReplan({
        action: 'revise',
        rationale: 'missing_migration is a known smoke failure: apply the migration, then smoke-test again.',
        steps: [step('migrate', 'Apply the pending database migration', ['build']), step('smoke', 'Run the smoke tests again', ['migrate']), step('deploy', 'Deploy to staging', ['smoke']), step('verify', 'Verify health after the deploy', ['deploy'])],
      }),
      text('Release 1.4.3 is live on staging. The first smoke run failed (missing_migration); the migration was applied and the smoke tests passed on the second run. Deployment dep-7781 is healthy.'),
    ],
    { name: 'demo-planner' },
  );
}

const userText = (call: ScriptedCall) =>
  call.prompt
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('\n');

/**
 * The demo executor: reads its step from the prompt, calls the pipeline tool for it, then reports
 * the tool's verdict as the step outcome. Deterministic, whatever order parallel steps run in.
 */
export function scriptedExecutor() {
  const answer = (call: ScriptedCall) => {
    const last = call.prompt.at(-1);
    if (last?.role === 'tool') {
      const result = last.content.find((part) => part.type === 'tool-result');
      const report = (result?.output.type === 'json' ? result.output.value : { ok: false, log: 'no result' }) as { ok: boolean; log: string };
      return scriptStepOutcome({ success: report.ok, output: report.ok ? report.log : '', error: report.ok ? null : report.log });
    }
    const check = /Your step \(([\w-]+)\)/.exec(userText(call))?.[1] ?? 'build';
    return toolCall('pipeline', { check }, { id: `call-${call.callIndex}` });
  };
  return createScriptedModel(Array.from({ length: 40 }, () => answer), { name: 'demo-executor' });
}
