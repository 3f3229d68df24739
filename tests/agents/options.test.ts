import { Agent } from '@mastra/core/agent';
import { describe, expect, it } from 'vitest';
import { createExecutorAgent, EXECUTOR_INSTRUCTIONS } from '../../src/agents/executor.ts';
import { createPlannerAgent, PLANNER_INSTRUCTIONS } from '../../src/agents/planner.ts';
import { createSynthesizerAgent, SYNTHESIZER_INSTRUCTIONS } from '../../src/agents/synthesizer.ts';
import { InvalidOptionsError } from '../../src/engine/errors.ts';
import { PlanAndExecute, type PlanAndExecuteOptions } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, createFailingTool, eventTrail, recordEvents, succeed, userText } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

const oneAddStep = plan([addStep('s1')]);

describe('PlanAndExecute given Agents', () => {
  it('drives the given planner, executor and synthesizer Agents and reads the tool catalogue from the executor', async () => {
    const plannerModel = createScriptedModel([scriptPlan(oneAddStep)], { name: 'planner' });
    const executorModel = createScriptedModel([toolCall('add', { a: 2, b: 5 }), succeed('sum is 7')], { name: 'executor' });
    const synthesizerModel = createScriptedModel([text('The sum is 7.')], { name: 'synthesizer' });
    const add = createAddTool();
    const planner = createPlannerAgent({ model: plannerModel });
    const executor = createExecutorAgent({ model: executorModel, tools: { add: add.tool, lookup: createFailingTool().tool } });
    const synthesizer = createSynthesizerAgent({ model: synthesizerModel });
    const agent = new PlanAndExecute({ planner, executor, synthesizer });

    const result = await agent.run('Add 2 and 5');

    expect([agent.planner, agent.executor, agent.synthesizer]).toEqual([planner, executor, synthesizer]);
    expect(await agent.toolCatalogue()).toEqual([
      {
        name: 'add',
        description: 'Add two numbers',
        inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
      },
      {
        name: 'lookup',
        description: 'Look a value up in the remote service',
        inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
    ]);
    // Each tool with its input, from which the planner writes direct calls.
    expect(userText(plannerModel.calls[0])).toContain(
      'Tools the executor has:\n- add: Add two numbers\n  input: {a: number, b: number}\n- lookup: Look a value up in the remote service\n  input: {query: string}\n',
    );
    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe('The sum is 7.');
    expect(add.inputs).toEqual([{ a: 2, b: 5 }]);
    expect([plannerModel.calls.length, executorModel.calls.length, synthesizerModel.calls.length]).toEqual([1, 2, 1]);
    expect([plannerModel.remaining, executorModel.remaining, synthesizerModel.remaining]).toEqual([0, 0, 0]);
    expect(plannerModel.calls[0]![0]).toEqual({ role: 'system', content: PLANNER_INSTRUCTIONS });
    expect(executorModel.calls[0]![0]).toEqual({ role: 'system', content: EXECUTOR_INSTRUCTIONS });
    expect(synthesizerModel.calls[0]![0]).toEqual({ role: 'system', content: SYNTHESIZER_INSTRUCTIONS });
  });

  it("synthesises with the planner Agent's model when no synthesizer is given", async () => {
    const plannerModel = createScriptedModel([scriptPlan(oneAddStep), text('The sum is 7.')], { name: 'planner' });
    const executorModel = createScriptedModel([toolCall('add', { a: 2, b: 5 }), succeed('sum is 7')], { name: 'executor' });
    const agent = new PlanAndExecute({
      planner: createPlannerAgent({ model: plannerModel, instructions: 'Plan tersely.' }),
      executor: createExecutorAgent({ model: executorModel, tools: { add: createAddTool().tool } }),
    });

    const result = await agent.run('Add 2 and 5');

    expect(result.finalOutput).toBe('The sum is 7.');
    expect(plannerModel.calls).toHaveLength(2);
    expect(plannerModel.calls[0]![0]).toEqual({ role: 'system', content: 'Plan tersely.' });
    // The synthesis call keeps the synthesizer's own instructions on the shared model.
    expect(plannerModel.calls[1]![0]).toEqual({ role: 'system', content: SYNTHESIZER_INSTRUCTIONS });
    expect([plannerModel.remaining, executorModel.remaining]).toEqual([0, 0]);
  });

  it('lets a planner Agent with tools use them, whatever the plan length limit', async () => {
    // maxPlanSteps caps the plan's length; it must not become the planner's tool-loop budget.
    const plannerModel = createScriptedModel([toolCall('add', { a: 2, b: 5 }), scriptPlan(oneAddStep), text('The sum is 7.')], { name: 'planner' });
    const executorModel = createScriptedModel([toolCall('add', { a: 2, b: 5 }), succeed('sum is 7')], { name: 'executor' });
    const add = createAddTool();
    const planner = new Agent({ id: 'planner', name: 'Planner', instructions: PLANNER_INSTRUCTIONS, model: plannerModel, tools: { add: add.tool } });
    const agent = new PlanAndExecute({ planner, executor: createExecutorAgent({ model: executorModel, tools: { add: add.tool } }), maxPlanSteps: 1 });
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Add 2 and 5', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.initialPlan).toEqual(oneAddStep);
    expect(eventTrail(events).slice(0, 2)).toEqual(['run-started', 'plan-created']);
    expect(plannerModel.calls[1]!.at(-1)).toMatchObject({ role: 'tool', content: [{ type: 'tool-result', toolName: 'add' }] });
    expect(add.inputs).toEqual([
      { a: 2, b: 5 },
      { a: 2, b: 5 },
    ]);
    expect([plannerModel.calls.length, executorModel.calls.length, plannerModel.remaining, executorModel.remaining]).toEqual([3, 2, 0, 0]);
  });

  it('plans without tools when the executor Agent has none', async () => {
    const plannerModel = createScriptedModel([scriptPlan(plan([]))], { name: 'planner' });
    const agent = new PlanAndExecute({
      planner: createPlannerAgent({ model: plannerModel }),
      executor: createExecutorAgent({ model: createScriptedModel([], { name: 'executor' }) }),
      maxPlanRepairs: 0,
    });

    const result = await agent.run('Think it through');

    expect(await agent.toolCatalogue()).toEqual([]);
    expect(plannerModel.remaining).toBe(0);
    expect(userText(plannerModel.calls[0])).toContain('(no tools: every step is done by reasoning alone; toolHint and tool must be null)');
    expect(result.error).toEqual({
      code: 'PLAN_INVALID',
      message: 'The plan is invalid: The plan has no steps; add at least one step.',
      issues: ['The plan has no steps; add at least one step.'],
    });
  });
});

describe('PlanAndExecute options', () => {
  const models = () => ({
    planner: createScriptedModel([], { name: 'planner' }),
    executor: createScriptedModel([], { name: 'executor' }),
  });

  it('throws InvalidOptionsError when tools come with an executor Agent', () => {
    const executor = createExecutorAgent({ model: createScriptedModel([], { name: 'executor' }) });
    const create = () => new PlanAndExecute({ planner: models().planner, executor, tools: { add: createAddTool().tool } });

    expect(create).toThrow(InvalidOptionsError);
    expect(create).toThrow('`tools` goes with an executor model; give an executor Agent its tools in its own config');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['concurrency 0', { concurrency: 0 }, 'Expected `concurrency` to be an integer from 1 and up, got 0 (number)'],
    ['maxRetries -1', { maxRetries: -1 }, 'Expected `maxRetries` to be an integer from 0 to 10, got -1 (number)'],
    ['maxStepIterations 1.5', { maxStepIterations: 1.5 }, 'Expected `maxStepIterations` to be an integer from 1 and up, got 1.5 (number)'],
    ['maxReplans "2"', { maxReplans: '2' }, 'Expected `maxReplans` to be an integer from 0 and up, got "2" (string)'],
    ['replanOnFailure "no"', { replanOnFailure: 'no' }, 'Expected `replanOnFailure` to be a boolean, got "no" (string)'],
    ['no planner', { planner: undefined }, 'Expected `planner` to be a Mastra Agent or a language model, got undefined'],
    ['no executor', { executor: null }, 'Expected `executor` to be a Mastra Agent or a language model, got null'],
    ['a renamed setting', { maxSteps: 5 }, '`maxSteps` was renamed to `maxPlanSteps` in 0.2 (see CHANGELOG.md)'],
    [
      'a misspelt setting and a run option',
      { maxReplan: 5, onEvent: () => undefined },
      'Unknown options `maxReplan`, `onEvent`; the run settings are replanOnFailure, maxReplans, maxRetries, maxStepIterations, maxPlanSteps, concurrency, maxPlanRepairs, synthesize, streamPlan, callTimeoutMs, approvalTimeoutMs, maxStepOutputChars, redact, maxCrashRestarts, leaseMs, leaseWaitMs, planCacheTtlMs, stepTimeoutMs, budget, approvePlan, failurePolicy',
    ],
  ])('throws InvalidOptionsError for %s', (_name, options, message) => {
    const create = () => new PlanAndExecute({ ...models(), ...options } as PlanAndExecuteOptions);

    expect(create).toThrow(InvalidOptionsError);
    expect(create).toThrow(message);
  });

  it.each([
    ['an empty task', '', 'Expected `task` to be a non-empty string, got ""'],
    ['a blank task', '  ', 'Expected `task` to be a non-empty string, got "  "'],
  ])('rejects run() with InvalidOptionsError for %s, before any model call', async (_name, task, message) => {
    const { planner, executor } = models();
    const agent = new PlanAndExecute({ planner, executor });

    const running = agent.run(task);

    await expect(running).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(running).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message });
    expect([planner.calls.length, executor.calls.length]).toEqual([0, 0]);
  });

  it('rejects the stream with InvalidOptionsError for an empty task', async () => {
    const agent = new PlanAndExecute(models());

    const drain = async () => {
      for await (const _event of agent.stream('')) void _event;
    };

    await expect(drain()).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: 'Expected `task` to be a non-empty string, got ""' });
  });

  it('resolves rejected, without executing, when approvePlan says no', async () => {
    const planner = createScriptedModel([scriptPlan(oneAddStep)], { name: 'planner' });
    const executor = createScriptedModel([], { name: 'executor' });
    const approved: unknown[] = [];
    const approvePlan = (proposed: unknown) => {
      approved.push(proposed);
      return false;
    };
    const agent = new PlanAndExecute({ planner, executor, tools: { add: createAddTool().tool }, approvePlan });

    const result = await agent.run('Add 2 and 5');

    expect(result.status).toBe('rejected');
    expect(result.error).toEqual({ code: 'PLAN_REJECTED', message: 'The plan was rejected before execution' });
    expect(approved).toEqual([oneAddStep]);
    expect(result.plan).toMatchObject([{ id: 's1', status: 'pending' }]);
    expect([planner.calls.length, executor.calls.length, planner.remaining]).toEqual([1, 0, 0]);
  });
});
