import { Mastra } from '@mastra/core/mastra';
import { describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { planRunResultOf, type RunEndedErrorJSON } from '../../src/mastra/workflows/run-ended-error.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, scriptReplan, text, toolCall, type ScriptedReply } from '../../src/testing/index.ts';
import { addStep, createAddTool, directAddStep, fail, scriptModelPlan, succeed } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

/** The scripts of one scenario; fresh models are made from them for each driver. */
interface Scenario {
  readonly planner: readonly ScriptedReply[];
  readonly executor: readonly ScriptedReply[];
  readonly synthesizer: readonly ScriptedReply[];
  /** false: the plan is rejected at approval. */
  readonly approve?: boolean;
}

const twoSteps = plan([addStep('s1'), addStep('s2', ['s1'])]);
const twoDirect = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 3 })]);
// s2's reference names a key s1's output does not have: the engine cannot fill it, and the executor does the step.
const brokenReference = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1', path: 'total' }, b: 3 })]);
const TASK = 'Add twice';

const SCENARIOS: Record<string, Scenario> = {
  happy: {
    planner: [scriptPlan(twoSteps)],
    executor: [toolCall('add', { a: 1, b: 2 }), succeed('3'), toolCall('add', { a: 3, b: 3 }), succeed('6')],
    synthesizer: [text('3 then 6')],
  },
  replanned: {
    planner: [scriptPlan(twoSteps), scriptReplan({ action: 'revise', steps: [addStep('s2b', ['s1'])], rationale: 'Try another pair' })],
    executor: [toolCall('add', { a: 1, b: 2 }), succeed('3'), fail('the pair is invalid'), toolCall('add', { a: 3, b: 4 }), succeed('7')],
    synthesizer: [text('3 then 7')],
  },
  aborted: {
    planner: [scriptPlan(twoSteps), scriptReplan({ action: 'abort', steps: null, rationale: 'Nothing else can add these' })],
    executor: [toolCall('add', { a: 1, b: 2 }), succeed('3'), fail('the pair is invalid')],
    synthesizer: [],
  },
  'approval-rejected': { planner: [scriptPlan(twoSteps)], executor: [], synthesizer: [], approve: false },
  // Direct steps: the engine calls the tool itself; the executor model is never asked.
  direct: { planner: [scriptModelPlan(twoDirect)], executor: [], synthesizer: [text('3 then 6')] },
  'direct-fallback': {
    planner: [scriptModelPlan(brokenReference)],
    executor: [toolCall('add', { a: 3, b: 3 }), succeed('{"sum":6}')],
    synthesizer: [text('3 then 6')],
  },
};

function agents(scenario: Scenario) {
  const add = createAddTool();
  return {
    planner: createPlannerAgent({ model: createScriptedModel([...scenario.planner], { name: 'planner' }) }),
    executor: createExecutorAgent({ model: createScriptedModel([...scenario.executor], { name: 'executor' }), tools: { add: add.tool } }),
    synthesizer: createSynthesizerAgent({ model: createScriptedModel([...scenario.synthesizer], { name: 'synthesizer' }) }),
  };
}

async function viaPlainLoop(scenario: Scenario, events: PlanRunEvent[]): Promise<PlanRunResult> {
  const approvePlan = scenario.approve === false ? () => false : undefined;
  const agent = new PlanAndExecute({ ...agents(scenario), ...(approvePlan ? { approvePlan } : {}) });
  return agent.run(TASK, { onEvent: (event) => void events.push(event) });
}

/** The workflow's outcome: its status, the code and message of its error (null on success), and the PlanRunResult. */
interface WorkflowOutcome {
  readonly status: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly result: PlanRunResult;
}

async function viaWorkflow(scenario: Scenario, events: PlanRunEvent[]): Promise<WorkflowOutcome> {
  const workflow = createPlanExecuteWorkflow({ ...agents(scenario), store: new InMemoryRunStore(), onEvent: (event) => void events.push(event) });
  const mastra = new Mastra({ workflows: { planExecute: workflow }, logger: false });
  const run = await mastra.getWorkflow('planExecute').createRun();
  const requireApproval = scenario.approve === false;
  let response = await run.start({ inputData: { task: TASK, requireApproval } });
  if (requireApproval) response = await run.resume({ step: 'approve', resumeData: { approved: false } });
  const result = planRunResultOf(response);
  if (!result) throw new Error(`The workflow ended ${response.status} without a PlanRunResult`);
  const error = response.status === 'failed' ? (response.error as unknown as RunEndedErrorJSON) : null;
  return { status: response.status, error: error && { code: error.code, message: error.message }, result };
}

/** The result without what differs between any two runs: ids, times and durations. */
function comparable(result: PlanRunResult) {
  const { runId, durationMs, ...rest } = result;
  void [runId, durationMs];
  return { ...rest, steps: result.steps.map(({ startedAt, durationMs: took, ...step }) => (void [startedAt, took], step)) };
}

/** Event types with their step ids, timestamps and run ids aside. */
const trail = (events: readonly PlanRunEvent[]) => events.map((event) => ('stepId' in event ? `${event.type}:${event.stepId}` : event.type));

describe('the plain loop and the workflow', () => {
  it.each(Object.keys(SCENARIOS))('end the %s run with the same result and the same events', async (name) => {
    const scenario = SCENARIOS[name]!;
    const loopEvents: PlanRunEvent[] = [];
    const workflowEvents: PlanRunEvent[] = [];
    const loop = await viaPlainLoop(scenario, loopEvents);
    const workflow = await viaWorkflow(scenario, workflowEvents);
    expect(comparable(workflow.result)).toEqual(comparable(loop));
    expect(trail(workflowEvents)).toEqual(trail(loopEvents));
    const statuses = {
      happy: 'completed',
      replanned: 'completed',
      aborted: 'aborted',
      'approval-rejected': 'rejected',
      direct: 'completed',
      'direct-fallback': 'completed',
    };
    expect(loop.status).toBe(statuses[name as keyof typeof statuses]);
    // Only a completed run is a successful workflow; any other carries the run's error.
    expect([workflow.status, workflow.error]).toEqual(
      loop.status === 'completed' ? ['success', null] : ['failed', loop.error && { code: loop.error.code, message: loop.error.message }],
    );
  });

  it.each([
    ['direct', [true, true], []],
    ['direct-fallback', [true, undefined], ['direct-call-failed']],
  ])('run the %s steps the same way: which attempts called the tool directly, and the warnings', async (name, direct, warnings) => {
    const drivers = [viaPlainLoop, async (scenario: Scenario, events: PlanRunEvent[]) => (await viaWorkflow(scenario, events)).result];
    for (const drive of drivers) {
      const events: PlanRunEvent[] = [];
      const result = await drive(SCENARIOS[name]!, events);
      expect(result.steps.map((attempt) => attempt.direct)).toEqual(direct);
      expect(result.warnings.map((warning) => warning.warning)).toEqual(warnings);
      expect(result.plan.map((tracked) => tracked.output)).toEqual(['{"sum":3}', '{"sum":6}']);
      expect(events.filter((event) => event.type === 'step-started').map((event) => event.type === 'step-started' && event.direct === true)).toEqual([
        true,
        true,
      ]);
    }
  });
});
