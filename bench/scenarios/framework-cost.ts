import { runPlan } from '../../src/engine/run-plan.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, scriptStepOutcome, text, type ScriptedCall } from '../../src/testing/index.ts';
import { fakeRunInput } from '../fake-roles.ts';
import { expectCompleted, timeCases } from '../measure.ts';
import { chainPlan } from '../plans.ts';
import type { BenchRow } from '../report.ts';

const ROUNDS = 30;
const WARMUP = 3;
/** Model calls per run: the plan, one per step (no tools), the synthesis. */
const MODEL_CALLS = 5;
const PLAN = chainPlan(3);

/** The planner's model also serves the default synthesizer: answer whichever is asking. */
const plannerAnswer = (call: ScriptedCall) =>
  JSON.stringify(call.prompt).includes('Write the final answer') ? text('s1, s2 and s3 are done') : scriptPlan(PLAN);

/** Reads the step id from the executor prompt, so the answer fits whichever step asks. */
const executorAnswer = (call: ScriptedCall) => {
  const stepId = /Your step \(([\w-]+)\)/.exec(JSON.stringify(call.prompt))?.[1] ?? '?';
  return scriptStepOutcome({ success: true, output: `${stepId} out`, error: null });
};

/** A PlanAndExecute on scripted models with enough answers for `runs` runs of PLAN. */
function scriptedAgent(runs: number): PlanAndExecute {
  const planner = createScriptedModel(
    Array.from({ length: runs * 2 }, () => plannerAnswer),
    { name: 'bench-planner' },
  );
  const executor = createScriptedModel(
    Array.from({ length: runs * PLAN.steps.length }, () => executorAnswer),
    { name: 'bench-executor' },
  );
  return new PlanAndExecute({ planner, executor, maxPlanSteps: PLAN.steps.length });
}

/**
 * The same 3-step chain through PlanAndExecute (real Mastra Agents, scripted models: prompt
 * building, Agent.generate, structured-output parsing) and through runPlan with plain fakes. The
 * ratio is the Mastra path's cost as a multiple of the bare engine's.
 */
export async function frameworkCost(): Promise<BenchRow[]> {
  const agent = scriptedAgent(ROUNDS + WARMUP);
  const timings = await timeCases(
    {
      fakes: async () => expectCompleted(await runPlan(fakeRunInput(PLAN))),
      mastra: async () => expectCompleted(await agent.run(PLAN.goal)),
    },
    { rounds: ROUNDS, warmup: WARMUP },
  );
  const { fakes, mastra } = timings;
  const row = (label: string, value: number, unit: BenchRow['unit'], ratio: number | null): BenchRow => ({
    scenario: 'framework',
    label,
    value,
    unit,
    ratio,
    ideal: null,
    runs: ROUNDS,
  });
  return [
    row('3-step chain, runPlan + plain fakes', fakes.median, 'ms/run', 1),
    row('3-step chain, PlanAndExecute + scripted Agents', mastra.median, 'ms/run', mastra.median / fakes.median),
    row(`  Mastra cost per model call (${MODEL_CALLS} a run)`, (mastra.median - fakes.median) / MODEL_CALLS, 'ms/call', null),
  ];
}
