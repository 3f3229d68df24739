import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, error, json, scriptPlan, scriptReplan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, createFailingTool, dataBlock, eventTrail, fail, recordEvents, succeed, userText } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

const lookupStep = step('s1', [], { description: 'Look up the rate', toolHint: 'lookup' });
const NOT_AN_OBJECT =
  'The executor answer does not match its schema: The answer is not JSON; answer with exactly one JSON object with the fields success, output, error.';

afterEach(() => vi.restoreAllMocks());

describe('PlanAndExecute step failures', () => {
  describe('a tool that throws', () => {
    it('hands the tool error to the model as data and fails the run when replanning is off', async () => {
      const planner = createScriptedModel([scriptPlan(plan([lookupStep]))], { name: 'planner' });
      const executor = createScriptedModel([toolCall('lookup', { query: 'EUR' }), fail('The rate service is down')], { name: 'executor' });
      const lookup = createFailingTool('The lookup service is down');
      const agent = new PlanAndExecute({ planner, executor, tools: { lookup: lookup.tool }, replanOnFailure: false });

      const result = await agent.run('Convert 10 USD to EUR');

      expect(executor.calls[1]!.at(-1)).toMatchObject({
        role: 'tool',
        content: [{ type: 'tool-result', toolName: 'lookup', output: { type: 'error-text', value: 'The lookup service is down' } }],
      });
      expect(lookup.inputs).toEqual([{ query: 'EUR' }]);
      expect(result.status).toBe('failed');
      expect(result.error).toEqual({ code: 'STEP_FAILED', message: 'Step "s1" failed and replanning is off: The rate service is down' });
      expect(result.steps.map((attempt) => [attempt.stepId, attempt.status, attempt.error, attempt.retryable, attempt.toolCalls])).toEqual([
        ['s1', 'failed', 'The rate service is down', false, 1],
      ]);
      expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([1, 2, 0, 0]);
    });

    it('replans around the failing tool when replanning is on', async () => {
      const planner = createScriptedModel(
        [scriptPlan(plan([lookupStep])), scriptReplan({ action: 'revise', steps: [addStep('s2')], rationale: 'Compute it instead' }), text('10 USD is 9 EUR.')],
        { name: 'planner' },
      );
      const executor = createScriptedModel(
        [toolCall('lookup', { query: 'EUR' }), fail('The rate service is down'), toolCall('add', { a: 4, b: 5 }), succeed('sum is 9')],
        { name: 'executor' },
      );
      const lookup = createFailingTool();
      const add = createAddTool();
      const agent = new PlanAndExecute({ planner, executor, tools: { lookup: lookup.tool, add: add.tool } });

      const result = await agent.run('Convert 10 USD to EUR');

      expect(result.status).toBe('completed');
      expect(result.finalOutput).toBe('10 USD is 9 EUR.');
      expect(result.plan.map((tracked) => [tracked.id, tracked.status])).toEqual([['s2', 'done']]);
      expect(userText(planner.calls[1])).toContain(dataBlock('error', 'The rate service is down'));
      expect([lookup.inputs.length, add.inputs.length]).toEqual([1, 1]);
      expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([3, 4, 0, 0]);
    });
  });

  describe('an answer that is not a StepOutcome', () => {
    it('retries once with the error in the prompt, then fails the run when replanning is off', async () => {
      const planner = createScriptedModel([scriptPlan(plan([step('s1')]))], { name: 'planner' });
      const executor = createScriptedModel([text('The sum is 3.'), json({ success: true })], { name: 'executor' });
      const { events, onEvent } = recordEvents();
      const agent = new PlanAndExecute({ planner, executor, maxRetries: 1, replanOnFailure: false });

      const result = await agent.run('Add 1 and 2', { onEvent });

      const secondError = 'The executor answer does not match its schema: output: Invalid input: expected string, received undefined';
      expect(result.status).toBe('failed');
      expect(result.error).toEqual({ code: 'STEP_FAILED', message: `Step "s1" failed and replanning is off: ${secondError}` });
      expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable, attempt.usage.totalTokens])).toEqual([
        [1, 'failed', NOT_AN_OBJECT, true, 30],
        [2, 'failed', secondError, true, 30],
      ]);
      expect(result.plan).toMatchObject([{ id: 's1', status: 'failed', attempts: 2, error: secondError }]);
      expect(userText(executor.calls[0])).not.toContain('the last one failed');
      expect(userText(executor.calls[1])).toContain(`Attempt 2; the last one failed:\n${dataBlock('previous error', NOT_AN_OBJECT)}`);
      expect(result.usage.byRole.executor).toEqual({ inputTokens: 20, outputTokens: 40, totalTokens: 60 });
      expect(eventTrail(events)).toEqual([
        'run-started',
        'plan-created',
        'step-started:s1',
        'step-failed:s1',
        'step-retried:s1',
        'step-started:s1',
        'step-failed:s1',
        'run-finished',
      ]);
      expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([1, 2, 0, 0]);
    });

    it('completes when the retry answers well', async () => {
      const planner = createScriptedModel([scriptPlan(plan([step('s1')])), text('3')], { name: 'planner' });
      const executor = createScriptedModel([text('The sum is 3.'), succeed('sum is 3')], { name: 'executor' });
      const agent = new PlanAndExecute({ planner, executor });

      const result = await agent.run('Add 1 and 2');

      expect(result.status).toBe('completed');
      expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.retryable])).toEqual([
        [1, 'failed', true],
        [2, 'done', false],
      ]);
      expect(result.plan).toMatchObject([{ id: 's1', status: 'done', output: 'sum is 3', attempts: 2 }]);
      expect(result.replanned).toBe(false);
      expect([executor.calls.length, executor.remaining, planner.remaining]).toEqual([2, 0, 0]);
    });
  });

  it('retries a step whose model call throws an API error', async () => {
    // Mastra logs a failed model call at error level; the role agents send that to debug, off the terminal.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const planner = createScriptedModel([scriptPlan(plan([step('s1')])), text('Done.')], { name: 'planner' });
    const executor = createScriptedModel([error(new Error('503 Service Unavailable')), succeed('s1 done')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, maxRetries: 1 });

    const result = await agent.run('Reach the goal');

    expect(result.status).toBe('completed');
    expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable])).toEqual([
      [1, 'failed', '503 Service Unavailable', true],
      [2, 'done', null, false],
    ]);
    expect([executor.calls.length, executor.remaining]).toEqual([2, 0]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('fails a step for good, without a retry, when the model spends every turn on tool calls', async () => {
    const planner = createScriptedModel([scriptPlan(plan([addStep('s1')]))], { name: 'planner' });
    const executor = createScriptedModel([toolCall('add', { a: 1, b: 1 }), toolCall('add', { a: 2, b: 2 })], { name: 'executor' });
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool }, maxStepIterations: 2, maxRetries: 1, replanOnFailure: false });

    const result = await agent.run('Add numbers');

    const turnsSpent = 'The step used all 2 model turns on tool calls without a final answer';
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({ code: 'STEP_FAILED', message: `Step "s1" failed and replanning is off: ${turnsSpent}` });
    expect(result.steps.map((attempt) => [attempt.attempt, attempt.status, attempt.error, attempt.retryable, attempt.toolCalls])).toEqual([
      [1, 'failed', turnsSpent, false, 2],
    ]);
    expect(add.inputs).toEqual([
      { a: 1, b: 1 },
      { a: 2, b: 2 },
    ]);
    expect(userText(executor.calls[0])).toContain('\nAt most 2 turns.');
    expect([planner.calls.length, executor.calls.length, planner.remaining, executor.remaining]).toEqual([1, 2, 0, 0]);
  });
});
