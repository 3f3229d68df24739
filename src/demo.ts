/**
 * `npm run demo`: one Plan & Execute run, fully offline. The planner, executor and synthesizer
 * are real Mastra Agents; their language models are scripted (mastra-plan-execute/testing), and
 * the executor really calls a simulated release-pipeline tool whose smoke check fails until a
 * migration runs, so the replanner has to insert a step.
 */
import { createReleasePipeline } from './demo/release-tools.ts';
import { scriptedExecutor, scriptedPlanner } from './demo/scripted-roles.ts';
import { PlanAndExecute } from './plan-and-execute.ts';
import { formatEvent, formatResult } from './progress.ts';

const pipeline = createReleasePipeline('1.4.3');
const agent = new PlanAndExecute({ planner: scriptedPlanner(), executor: scriptedExecutor(), tools: { pipeline: pipeline.tool } });
const result = await agent.run('Release version 1.4.3 to staging: build, smoke-test, deploy and verify.', {
  onEvent: (event) => {
    const line = formatEvent(event);
    if (line) console.log(line);
  },
});
console.log(`\n${formatResult(result)}`);
console.log(`pipeline checks executed: ${pipeline.state.executed.join(' → ')}`);
process.exitCode = result.status === 'completed' ? 0 : 1;
