import { createStep, createWorkflow, type DefaultEngineType, type Step, type Workflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { approveRun, finishRun, handleFailures, iterate, loadRun, planAndApprove, planRun, startRun } from '../../engine/phases.ts';
import { PlanSchema } from '../../engine/plan-schema.ts';
import type { RunContext } from '../../engine/run-context.ts';
import { createRunDriver, type Opening, type RunDriver, type RunState, type RunWorkflowOptions, type StepHooks } from './run-driver.ts';

export type { RunSource, RunWorkflowOptions } from './run-driver.ts';

/** What approving a suspended plan takes. */
export const ApprovalSchema = z.object({
  approved: z.boolean().describe('true to run the plan, false to reject the run'),
  plan: PlanSchema.optional().describe('An edited plan to run instead (validated before use)'),
});

/**
 * The Plan & Execute pattern as a Mastra Workflow over the engine's phase functions, for any
 * input: `plan` (startRun, then planAndApprove or planRun) → `approve` (suspends when
 * `requiresApproval`; approveRun) → a loop of `iterate` (ready steps in parallel; handleFailures
 * after permanent failures) → `synthesize` (finishRun). Each step writes the run's events to its
 * writer as progress chunks and outputs where the plan stands. A completed run ends the workflow
 * `success` with `output(result)`; any other ends it `failed` with a RunEndedError. The workflow
 * run id is the engine's run id, checkpointed in `store`.
 */
export function createRunWorkflow<TInput, TOutput>(options: RunWorkflowOptions<TInput, TOutput>) {
  const { id, description, inputSchema, outputSchema } = options;
  const driver = createRunDriver(options);
  const requiresApproval = options.requiresApproval ?? (() => false);
  const open: (runId: string) => Opening = (runId) => async (input) =>
    // Restarted after a crash, the run is already stored: carry on from there.
    (await options.store.load(runId)) ? loadRun(input) : startRun(input);
  // Typed loosely while built (Mastra's step typing does not follow a generic input), then as what it is.
  const workflow = createWorkflow({ id, description, inputSchema: inputSchema as z.ZodType<unknown>, outputSchema })
    .then(planStep(driver, inputSchema, requiresApproval, open) as Step<'plan', unknown, unknown, RunState<TInput>>)
    .then(approveStep(driver, requiresApproval))
    .dountil(iterateStep(driver), async ({ inputData }) => inputData.settled)
    .then(synthesizeStep(driver, outputSchema))
    .commit();
  return workflow as unknown as Workflow<DefaultEngineType, Step[], string, unknown, TInput, TOutput, TOutput>;
}

/** The hooks a step hands the run, from what Mastra hands the step. */
const hooksOf = ({ runId, abortSignal, tracingContext, writer, bail }: StepHooks & { bail: unknown }): StepHooks => ({
  runId,
  abortSignal,
  tracingContext,
  writer,
  bail: bail as StepHooks['bail'],
});

function planStep<TInput>(
  driver: RunDriver<TInput, unknown>,
  inputSchema: z.ZodType<TInput>,
  requiresApproval: (input: TInput) => boolean,
  open: (runId: string) => Opening,
) {
  return createStep({
    id: 'plan',
    description: 'The planner writes the plan; an invalid plan goes back with the validator messages.',
    inputSchema,
    outputSchema: driver.RunStateSchema,
    execute: async ({ inputData, ...context }) => {
      const phase = requiresApproval(inputData) ? planRun : planAndApprove;
      const planned = async (run: RunContext) => {
        await phase(run);
        return driver.stateOf(inputData, run, false);
      };
      return driver.onRun(inputData, hooksOf(context), planned, open(context.runId));
    },
  });
}

function approveStep<TInput>(driver: RunDriver<TInput, unknown>, requiresApproval: (input: TInput) => boolean) {
  return createStep({
    id: 'approve',
    description: 'With approval required: suspends with the plan until it is approved, rejected or edited.',
    inputSchema: driver.RunStateSchema,
    outputSchema: driver.RunStateSchema,
    suspendSchema: z.object({ plan: PlanSchema }),
    resumeSchema: ApprovalSchema,
    execute: async ({ inputData, suspend, resumeData, ...context }) => {
      const { input } = inputData;
      if (!requiresApproval(input)) return inputData;
      return driver.onRun(input, hooksOf(context), async (run) => {
        if (!resumeData) return suspend({ plan: run.tracker.snapshot().initialPlan! });
        await approveRun(run, resumeData.approved ? (resumeData.plan ?? true) : false);
        return driver.stateOf(input, run, false);
      });
    },
  });
}

function iterateStep<TInput>(driver: RunDriver<TInput, unknown>) {
  return createStep({
    id: 'iterate',
    description: 'Runs every ready step, independent ones in parallel; after permanent failures the replanner revises, skips or aborts.',
    inputSchema: driver.RunStateSchema,
    outputSchema: driver.RunStateSchema,
    execute: async ({ inputData, ...context }) =>
      driver.onRun(inputData.input, hooksOf(context), async (run) => {
        if ((await iterate(run)) === 'settled') return driver.stateOf(inputData.input, run, true);
        await handleFailures(run);
        return driver.stateOf(inputData.input, run, false);
      }),
  });
}

function synthesizeStep<TInput, TOutput>(driver: RunDriver<TInput, TOutput>, outputSchema: z.ZodType<TOutput>) {
  return createStep({
    id: 'synthesize',
    description: 'The synthesizer merges the step outputs; the run result is stored and returned.',
    inputSchema: driver.RunStateSchema,
    outputSchema,
    execute: async ({ inputData, ...context }) =>
      driver.onRun(inputData.input, hooksOf(context), async (run) => driver.ended(await finishRun(run), inputData.input)),
  });
}
