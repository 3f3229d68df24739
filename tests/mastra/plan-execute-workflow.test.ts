import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import { InMemoryPlanCache } from '../../src/engine/plan-cache.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { planRunResultOf, type RunEndedErrorJSON } from '../../src/mastra/workflows/run-ended-error.ts';
import { resolveRoleModel } from '../../src/models.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, scriptReplan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, directAddStep, fail, scriptModelPlan, succeed } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

const twoSteps = plan([addStep('s1'), addStep('s2', ['s1'])]);

function setup(
  plannerScript: Parameters<typeof createScriptedModel>[0],
  executorScript: Parameters<typeof createScriptedModel>[0],
  synthesis = 'Both sums are done.',
) {
  const plannerModel = createScriptedModel(plannerScript, { name: 'planner' });
  const executorModel = createScriptedModel(executorScript, { name: 'executor' });
  const synthesizerModel = createScriptedModel([text(synthesis)], { name: 'synthesizer' });
  const add = createAddTool();
  const store = new InMemoryRunStore();
  const workflow = createPlanExecuteWorkflow({
    planner: createPlannerAgent({ model: plannerModel }),
    executor: createExecutorAgent({ model: executorModel, tools: { add: add.tool } }),
    synthesizer: createSynthesizerAgent({ model: synthesizerModel }),
    store,
  });
  const mastra = new Mastra({ workflows: { planExecute: workflow }, logger: false });
  return { workflow: mastra.getWorkflow('planExecute'), plannerModel, executorModel, synthesizerModel, add, store };
}

const resultOf = (response: { status: string; result?: unknown }) => {
  expect(response.status).toBe('success');
  return response.result as PlanRunResult;
};

/** A workflow run that ended `failed`: its error (a RunEndedError as JSON) and the PlanRunResult recovered from it. */
const endedOf = (response: { status: string; error?: unknown; steps?: Record<string, unknown> }) => {
  expect(response.status).toBe('failed');
  const result = planRunResultOf(response);
  if (!result) throw new Error('The failed workflow run carries no PlanRunResult');
  return { error: response.error as RunEndedErrorJSON, result };
};

describe('the Plan & Execute workflow', () => {
  it('plans, executes and synthesises through the same engine as the plain loop', async () => {
    const run = setup([scriptPlan(twoSteps)], [toolCall('add', { a: 1, b: 2 }), succeed('3'), toolCall('add', { a: 3, b: 3 }), succeed('6')]);
    const wf = await run.workflow.createRun();
    const result = resultOf(await wf.start({ inputData: { task: 'Add twice' } }));
    expect(result.runId).toBe(wf.runId);
    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe('Both sums are done.');
    expect(result.plan.map(({ id, status, output }) => [id, status, output])).toEqual([
      ['s1', 'done', '3'],
      ['s2', 'done', '6'],
    ]);
    expect(run.add.inputs).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 3 },
    ]);
    expect([run.plannerModel.calls.length, run.executorModel.calls.length, run.synthesizerModel.calls.length]).toEqual([1, 4, 1]);
    expect((await run.store.load(wf.runId))?.result).toEqual(result);
  });

  it('takes a cached plan in its plan step: the second run of a task asks no planner', async () => {
    const planCache = new InMemoryPlanCache();
    const direct = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 3 })]);
    const workflowWith = (plannerModel: ReturnType<typeof createScriptedModel>) =>
      new Mastra({
        workflows: {
          planExecute: createPlanExecuteWorkflow({
            planner: createPlannerAgent({ model: plannerModel }),
            executor: createExecutorAgent({ model: createScriptedModel([]), tools: { add: createAddTool().tool } }),
            synthesizer: createSynthesizerAgent({ model: createScriptedModel([text('6')], { name: 'synthesizer' }) }),
            planCache,
          }),
        },
        logger: false,
      }).getWorkflow('planExecute');
    const firstPlanner = createScriptedModel([scriptModelPlan(direct)], { name: 'planner' });
    const secondPlanner = createScriptedModel([], { name: 'planner' });

    const first = resultOf(await (await workflowWith(firstPlanner).createRun()).start({ inputData: { task: 'Add twice' } }));
    const second = resultOf(await (await workflowWith(secondPlanner).createRun()).start({ inputData: { task: 'Add twice' } }));

    expect([first.status, second.status]).toEqual(['completed', 'completed']);
    expect([firstPlanner.calls.length, secondPlanner.calls.length]).toEqual([1, 0]);
    expect(second.plan.map((step) => [step.id, step.output])).toEqual([
      ['s1', '{"sum":3}'],
      ['s2', '{"sum":6}'],
    ]);
  });

  it('takes the replan branch after a permanent failure and keeps the done step', async () => {
    const revised = [addStep('s2b', ['s1'])];
    const run = setup(
      [scriptPlan(twoSteps), scriptReplan({ action: 'revise', steps: revised, rationale: 'Try another pair' })],
      [toolCall('add', { a: 1, b: 2 }), succeed('3'), fail('the pair is invalid'), toolCall('add', { a: 3, b: 4 }), succeed('7')],
    );
    const wf = await run.workflow.createRun();
    const response = await wf.start({ inputData: { task: 'Add twice' } });
    const result = resultOf(response);
    expect(result.status).toBe('completed');
    expect(result.replanned).toBe(true);
    expect(result.revisions.map(({ kind, failedStepId, reason }) => [kind, failedStepId, reason])).toEqual([['revise', 's2', 'Try another pair']]);
    expect(result.plan.map(({ id, status }) => [id, status])).toEqual([
      ['s1', 'done'],
      ['s2b', 'done'],
    ]);
    expect(run.add.inputs).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    expect(response.steps.iterate?.status).toBe('success');
  });

  it('suspends for approval and runs the plan once approved', async () => {
    const run = setup([scriptPlan(twoSteps)], [toolCall('add', { a: 1, b: 2 }), succeed('3'), toolCall('add', { a: 3, b: 3 }), succeed('6')]);
    const wf = await run.workflow.createRun();
    const suspended = await wf.start({ inputData: { task: 'Add twice', requireApproval: true } });
    expect(suspended.status).toBe('suspended');
    expect(suspended.steps.approve?.suspendPayload).toEqual({ plan: twoSteps });
    expect(run.executorModel.calls).toHaveLength(0);
    const result = resultOf(await wf.resume({ step: 'approve', resumeData: { approved: true } }));
    expect(result.status).toBe('completed');
    expect(run.executorModel.calls).toHaveLength(4);
  });

  it('never runs a plan waiting for approval when someone resumes the run outside the workflow', async () => {
    const run = setup([scriptPlan(twoSteps)], [toolCall('add', { a: 1, b: 2 }), succeed('3'), toolCall('add', { a: 3, b: 3 }), succeed('6')]);
    const wf = await run.workflow.createRun();
    await wf.start({ inputData: { task: 'Add twice', requireApproval: true } });
    // A crash-recovery sweep with PlanAndExecute.resume on the same store, and no approvePlan.
    const sweep = new PlanAndExecute({ planner: createScriptedModel([]), executor: createScriptedModel([]), store: run.store });
    await expect(sweep.resume(wf.runId)).rejects.toThrow(
      `Run "${wf.runId}" waits for approval; approve it where it was suspended, or resume it with \`approvePlan\``,
    );
    expect(run.executorModel.calls).toHaveLength(0);
    const result = resultOf(await wf.resume({ step: 'approve', resumeData: { approved: true } }));
    expect([result.status, run.executorModel.calls.length]).toEqual(['completed', 4]);
  });

  it('ends the workflow failed when the plan is not approved, with the rejected run in its error, running nothing', async () => {
    const run = setup([scriptPlan(twoSteps)], []);
    const wf = await run.workflow.createRun();
    await wf.start({ inputData: { task: 'Add twice', requireApproval: true } });
    const response = await wf.resume({ step: 'approve', resumeData: { approved: false } });
    const { error, result } = endedOf(response);
    expect([error.name, error.code, error.message, error.status, error.runId]).toEqual([
      'RunEndedError',
      'PLAN_REJECTED',
      'The plan was rejected before execution',
      'rejected',
      wf.runId,
    ]);
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'PLAN_REJECTED' }, finalOutput: '' });
    expect(response.steps.approve?.status).toBe('failed');
    expect([run.executorModel.calls.length, run.synthesizerModel.calls.length]).toEqual([0, 0]);
  });

  it('runs an edited plan given at approval and records the edit', async () => {
    const edited = plan([addStep('only')]);
    const run = setup([scriptPlan(twoSteps)], [toolCall('add', { a: 5, b: 5 }), succeed('10')]);
    const wf = await run.workflow.createRun();
    await wf.start({ inputData: { task: 'Add twice', requireApproval: true } });
    const result = resultOf(await wf.resume({ step: 'approve', resumeData: { approved: true, plan: edited } }));
    expect(result.status).toBe('completed');
    expect(result.revisions.map(({ kind, reason }) => [kind, reason])).toEqual([['edit', 'Plan edited at approval']]);
    expect(result.replanned).toBe(false);
    expect(result.plan.map(({ id, status }) => [id, status])).toEqual([['only', 'done']]);
  });

  it('fails an invalid edited plan with the validator messages', async () => {
    const run = setup([scriptPlan(twoSteps)], []);
    const wf = await run.workflow.createRun();
    await wf.start({ inputData: { task: 'Add twice', requireApproval: true } });
    const broken = plan([addStep('x', ['nope'])]);
    const { error, result } = endedOf(await wf.resume({ step: 'approve', resumeData: { approved: true, plan: broken } }));
    expect([error.code, error.status, error.issues]).toEqual([
      'PLAN_INVALID',
      'failed',
      ['Step "x" depends on "nope", which is not a step of the plan; use an existing step id.'],
    ]);
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'PLAN_INVALID',
      message: 'The plan is invalid: Step "x" depends on "nope", which is not a step of the plan; use an existing step id.',
      issues: ['Step "x" depends on "nope", which is not a step of the plan; use an existing step id.'],
    });
  });

  it('ends the workflow failed with MODEL_NOT_CONFIGURED when the planner has no model, and the stored run says so too', async () => {
    const workflow = createPlanExecuteWorkflow({
      planner: createPlannerAgent({ model: () => resolveRoleModel('planner', {}) }),
      executor: createExecutorAgent({ model: createScriptedModel([]) }),
      synthesizer: createSynthesizerAgent({ model: createScriptedModel([]) }),
    });
    const mastra = new Mastra({ workflows: { planExecute: workflow }, logger: false });
    const wf = await mastra.getWorkflow('planExecute').createRun();
    const response = await wf.start({ inputData: { task: 'Write a haiku' } });
    const { error, result } = endedOf(response);
    const message =
      'No model configured for the planner: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).';
    expect([error.code, error.message, error.status, error.runId]).toEqual(['MODEL_NOT_CONFIGURED', message, 'failed', wf.runId]);
    expect([result.status, result.error, result.initialPlan, result.steps]).toEqual(['failed', { code: 'MODEL_NOT_CONFIGURED', message }, null, []]);
    expect(error.result).toEqual(result);
    expect(response.steps.plan?.status).toBe('failed');
    const stored = await mastra.getWorkflow('planExecute').getWorkflowRunById(wf.runId);
    expect(stored?.status).toBe('failed');
    expect(planRunResultOf(stored!)).toEqual(result);
  });

  it('ends the workflow failed when the replanner aborts, keeping the done step and the usage in the error', async () => {
    const run = setup(
      [scriptPlan(twoSteps), scriptReplan({ action: 'abort', steps: null, rationale: 'Nothing else can add these' })],
      [toolCall('add', { a: 1, b: 2 }), succeed('3'), fail('the pair is invalid')],
    );
    const wf = await run.workflow.createRun();
    const response = await wf.start({ inputData: { task: 'Add twice' } });
    const { error, result } = endedOf(response);
    expect([error.code, error.message, error.status]).toEqual(['RUN_ABORTED', 'The run was aborted: Nothing else can add these', 'aborted']);
    expect(result.status).toBe('aborted');
    expect(result.plan.map(({ id, status }) => [id, status])).toEqual([
      ['s1', 'done'],
      ['s2', 'failed'],
    ]);
    expect(result.usage.byRole.planner.totalTokens).toBeGreaterThan(0);
    expect((await run.store.load(wf.runId))?.result).toEqual(result);
    expect(response.steps.iterate?.status).toBe('failed');
    expect(run.synthesizerModel.calls).toHaveLength(0);
  });

  it('rejects input that is not a task', async () => {
    const run = setup([], []);
    const wf = await run.workflow.createRun();
    await expect(wf.start({ inputData: { task: '' } })).rejects.toThrow(/task/);
  });
});

describe('cancelling a Plan & Execute workflow run', () => {
  it('aborts the running tool call and stores the run as cancelled', async () => {
    let toolStarted!: () => void;
    const started = new Promise<void>((resolve) => (toolStarted = resolve));
    const seen: string[] = [];
    const wait = createTool({
      id: 'wait',
      description: 'Waits until cancelled',
      inputSchema: z.object({}),
      outputSchema: z.object({ done: z.boolean() }),
      execute: async (_input, context) =>
        new Promise((resolve) => {
          toolStarted();
          context?.abortSignal?.addEventListener('abort', () => (seen.push('tool aborted'), resolve({ done: false })), { once: true });
        }),
    });
    const store = new InMemoryRunStore();
    const workflow = createPlanExecuteWorkflow({
      planner: createPlannerAgent({ model: createScriptedModel([scriptPlan(plan([{ ...addStep('s1'), toolHint: 'wait' }]))]) }),
      executor: createExecutorAgent({ model: createScriptedModel([toolCall('wait', {})]), tools: { wait } }),
      synthesizer: createSynthesizerAgent({ model: createScriptedModel([]) }),
      store,
    });
    const mastra = new Mastra({ workflows: { planExecute: workflow }, logger: false });
    const run = await mastra.getWorkflow('planExecute').createRun();
    const response = run.start({ inputData: { task: 'Wait' } });
    await started;
    await run.cancel();
    const ended = await response;
    // Mastra's own status for a run it cancelled; the cancelled PlanRunResult rides on the step that was running.
    expect(ended.status).toBe('canceled');
    expect(seen).toEqual(['tool aborted']);
    const result = planRunResultOf(ended);
    expect([result?.status, result?.error?.code, result?.error?.message]).toEqual(['cancelled', 'RUN_CANCELLED', 'The run was cancelled']);
    expect((ended.steps.iterate as { error?: { code?: string; status?: string } } | undefined)?.error).toMatchObject({
      code: 'RUN_CANCELLED',
      status: 'cancelled',
    });
    const stored = await store.load(run.runId);
    expect([stored?.status, stored?.result?.error?.code, stored?.snapshot?.steps.map((step) => step.status)]).toEqual([
      'cancelled',
      'RUN_CANCELLED',
      ['pending'],
    ]);
  });
});
