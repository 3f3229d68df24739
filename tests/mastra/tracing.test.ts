import { Mastra } from '@mastra/core/mastra';
import { Observability, TestExporter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import { tracesPathFor } from '../../src/mastra/tracing.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { createScriptedModel, scriptPlan, scriptReplan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, fail, succeed } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

describe('tracing of the Plan & Execute workflow', () => {
  it('exports spans named after the pattern with step id, status, duration and tokens', async () => {
    const exporter = new TestExporter();
    const planner = createPlannerAgent({
      model: createScriptedModel([
        scriptPlan(plan([addStep('s1'), addStep('s2', ['s1'])])),
        scriptReplan({ action: 'revise', steps: [addStep('s3', ['s1'])], rationale: 'Use s3' }),
      ]),
    });
    const executor = createExecutorAgent({
      model: createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('3'), fail('no'), toolCall('add', { a: 3, b: 4 }), succeed('7')]),
      tools: { add: createAddTool().tool },
    });
    const synthesizer = createSynthesizerAgent({ model: createScriptedModel([text('3 and 7')]) });
    const mastra = new Mastra({
      workflows: { planExecute: createPlanExecuteWorkflow({ planner, executor, synthesizer }) },
      logger: false,
      observability: new Observability({ configs: { default: { serviceName: 'test', exporters: [exporter] } } }),
    });
    const run = await mastra.getWorkflow('planExecute').createRun();
    expect((await run.start({ inputData: { task: 'Add' } })).status).toBe('success');

    const pattern = exporter
      .getAllSpans()
      .filter((span) => span.name.startsWith('plan-execute.'))
      .map((span) => ({ name: span.name, ...(span.attributes as Record<string, unknown>) }) as { name: string; durationMs?: unknown });
    const withoutDurations = pattern.map(({ durationMs, ...rest }) => {
      if (durationMs !== undefined) expect(typeof durationMs).toBe('number');
      return rest;
    });
    expect(withoutDurations).toEqual([
      { name: 'plan-execute.plan', steps: 2, attempt: 1, goal: 'Reach the goal' },
      { name: 'plan-execute.step s1', stepId: 's1', attempt: 1, status: 'done', tokens: 60, toolCalls: 1, error: null },
      { name: 'plan-execute.step s2', stepId: 's2', attempt: 1, status: 'failed', tokens: 30, toolCalls: 0, error: 'no' },
      { name: 'plan-execute.replan', revision: 1, kind: 'revise', failedStepId: 's2', reason: 'Use s3', steps: 2 },
      { name: 'plan-execute.step s3', stepId: 's3', attempt: 1, status: 'done', tokens: 60, toolCalls: 1, error: null },
      { name: 'plan-execute.synthesis', tokens: 30 },
      { name: 'plan-execute.run', status: 'completed', tokens: 240, steps: 2, replanned: true },
    ]);
    const workflowSteps = exporter.getAllSpans().filter((span) => span.name.startsWith('workflow step'));
    const stepSpan = exporter.getAllSpans().find((span) => span.name === 'plan-execute.step s1')!;
    expect(workflowSteps.some((span) => span.id === stepSpan.parentSpanId)).toBe(true);
  });
});

describe('tracesPathFor', () => {
  it.each([
    ['file:/data/play/mastra.db', '/data/play/mastra-traces.duckdb'],
    ['file:///data/play/mastra.db', '/data/play/mastra-traces.duckdb'],
    ['file:mastra.db', '/srv/app/mastra-traces.duckdb'],
    ['file:./db/mastra.db?mode=rwc', '/srv/app/db/mastra-traces.duckdb'],
    ['libsql://mastra.example.com', '/srv/app/mastra-traces.duckdb'],
  ])('puts the traces of %s at %s', (databaseUrl, expected) => {
    expect(tracesPathFor(databaseUrl, '/srv/app')).toBe(expected);
  });
});
