import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { createProgressWriter, MAX_PROGRESS_SUMMARY_CHARS, readProgress, toProgress, type PlanRunProgress } from '../../src/mastra/workflows/progress.ts';
import { planRunResultOf } from '../../src/mastra/workflows/run-ended-error.ts';
import { createScriptedModel, scriptPlan, text, toolCall } from '../../src/testing/index.ts';
import { addStep, createAddTool, succeed } from '../helpers/agent-fixtures.ts';
import { plan } from '../helpers/plans.ts';

const SECRET = 'hunter2-progress-secret';
const threeSteps = plan([addStep('s1'), addStep('s2', ['s1']), { ...addStep('s3', ['s2']), toolHint: 'gate' }]);

/** A tool that waits until `open()` is called: it holds the run inside step s3 while the test reads the stream. */
function createGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const tool = createTool({
    id: 'gate',
    description: 'Waits for the test',
    inputSchema: z.object({}),
    outputSchema: z.object({ passed: z.boolean() }),
    execute: async () => (await opened, { passed: true }),
  });
  return { tool, open };
}

/** A progress chunk as a short string: `stepName type[:stepId]`. */
const line = (stepName: string, progress: PlanRunProgress) => `${stepName} ${progress.type}${progress.stepId ? `:${progress.stepId}` : ''}`;

describe('progress of a Plan & Execute workflow run', () => {
  it('streams every engine event through the step writers, in order, while the run is still going', async () => {
    const gate = createGate();
    const add = createAddTool();
    const workflow = createPlanExecuteWorkflow({
      planner: createPlannerAgent({ model: createScriptedModel([scriptPlan(threeSteps)]) }),
      executor: createExecutorAgent({
        model: createScriptedModel([
          toolCall('add', { a: 1, b: 2 }),
          succeed('3'),
          toolCall('add', { a: 3, b: 3 }),
          succeed('6'),
          toolCall('gate', {}),
          succeed('open'),
        ]),
        tools: { add: add.tool, gate: gate.tool },
      }),
      synthesizer: createSynthesizerAgent({ model: createScriptedModel([text(`3, 6, then open ${SECRET}`)]) }),
      redact: [SECRET],
    });
    const mastra = new Mastra({ workflows: { planExecute: workflow }, logger: false });
    const run = await mastra.getWorkflow('planExecute').createRun();
    const output = run.stream({ inputData: { task: `Add three times; the key is ${SECRET}` } });
    let finished = false;
    void output.result.then(() => (finished = true));

    const lines: string[] = [];
    const chunks: unknown[] = [];
    let finishedWhenS3Started: boolean | null = null;
    for await (const chunk of output.fullStream) {
      chunks.push(chunk);
      const progress = readProgress(chunk);
      if (!progress) continue;
      lines.push(line((chunk as unknown as { payload: { stepName: string } }).payload.stepName, progress));
      if (progress.type === 'step-started' && progress.stepId === 's3') {
        finishedWhenS3Started = finished;
        gate.open();
      }
    }

    expect(finishedWhenS3Started).toBe(false);
    expect(lines).toEqual([
      'plan run-started',
      'plan model-called',
      'plan plan-created',
      'iterate step-started:s1',
      'iterate model-called:s1',
      'iterate step-finished:s1',
      'iterate step-started:s2',
      'iterate model-called:s2',
      'iterate step-finished:s2',
      'iterate step-started:s3',
      'iterate model-called:s3',
      'iterate step-finished:s3',
      'synthesize model-called',
      'synthesize synthesis-finished',
      'synthesize run-finished',
    ]);
    const result = planRunResultOf(await output.result);
    expect([result?.status, result?.finalOutput]).toEqual(['completed', '3, 6, then open [REDACTED]']);
    // Each progress chunk comes between its workflow step's start and result, and each step numbers its chunks from 1.
    let open: string | null = null;
    const misplaced = chunks.filter((chunk) => {
      const { type, payload } = chunk as unknown as { type: string; payload: { id?: string; stepName?: string } };
      if (type === 'workflow-step-start') open = payload.id ?? null;
      if (type === 'workflow-step-result') open = null;
      return type === 'workflow-step-output' && payload.stepName !== open;
    });
    expect(misplaced).toEqual([]);
    const seqs = chunks.flatMap((chunk) => readProgress(chunk)?.seq ?? []);
    expect(seqs).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3]);
    const started = chunks.map(readProgress).find((progress) => progress?.type === 'run-started');
    expect(started).toEqual({
      kind: 'plan-execute-progress',
      seq: 1,
      type: 'run-started',
      runId: run.runId,
      timestamp: expect.any(String),
      stepId: null,
      summary: 'Add three times; the key is [REDACTED]',
    });
    // The progress, the result and the state passed between steps are redacted (Mastra's own chunks echo the workflow input as given).
    const ended = await output.result;
    expect(JSON.stringify([chunks.filter((chunk) => readProgress(chunk) !== null), result, ended.steps.iterate])).not.toContain(SECRET);
    expect(JSON.stringify(ended.steps.iterate)).toContain('Add three times; the key is [REDACTED]');
  });
});

describe('createProgressWriter', () => {
  const event = (stepId: string): PlanRunEvent => ({
    type: 'step-started',
    stepId,
    attempt: 1,
    description: `Do ${stepId}`,
    runId: 'r1',
    timestamp: '2026-12-02T00:00:00.000Z',
  });

  it('writes in order one at a time, and drops what comes past the cap while the sink is behind (the seq gap shows it)', async () => {
    const written: unknown[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let writing = 0;
    let mostAtOnce = 0;
    const sink = {
      write: async (chunk: unknown) => {
        mostAtOnce = Math.max(mostAtOnce, ++writing);
        await slow;
        written.push(chunk);
        writing -= 1;
      },
    };
    const progress = createProgressWriter(sink, { maxPending: 2, onError: () => undefined });
    for (const id of ['a', 'b', 'c', 'd']) progress.listener(event(id));
    release();
    await progress.flush();
    progress.listener(event('e'));
    await progress.flush();
    expect(written.map((chunk) => [(chunk as PlanRunProgress).seq, (chunk as PlanRunProgress).stepId])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [5, 'e'],
    ]);
    expect(mostAtOnce).toBe(1);
  });

  it('reports a failing sink once and stops writing to it, without throwing into the run', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const failing = createProgressWriter(
      {
        write: async () => {
          calls += 1;
          throw new Error('the stream is closed');
        },
      },
      { onError: (error) => errors.push(error) },
    );
    expect(() => {
      for (const id of ['a', 'b', 'c']) failing.listener(event(id));
    }).not.toThrow();
    await failing.flush();
    expect([calls, errors.map((error) => (error as Error).message)]).toEqual([1, ['the stream is closed']]);
  });

  it('cuts a long summary and leaves other chunks alone', () => {
    const long = toProgress({ ...(event('a') as Extract<PlanRunEvent, { type: 'step-started' }>), description: 'x'.repeat(2000) }, 7);
    expect(long.summary).toBe(`Attempt 1: ${'x'.repeat(MAX_PROGRESS_SUMMARY_CHARS - 'Attempt 1: '.length)}\n…[cut 1,511 of 2,011 characters]`);
    expect(readProgress({ type: 'workflow-step-output', payload: { output: { kind: 'something-else' } } })).toBeNull();
    expect(readProgress({ type: 'workflow-step-start', payload: { output: long } })).toBeNull();
    expect(readProgress({ type: 'workflow-step-output', payload: { output: long } })).toEqual(long);
  });
});
