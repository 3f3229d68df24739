import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { applyApproval, makePlan } from '../../engine/make-plan.ts';
import { executeReadySteps, handlePendingFailures, synthesize } from '../../engine/phases.ts';
import { PlanSchema } from '../../engine/plan-schema.ts';
import { asResultOutput, PlanRunResultSchema } from '../../engine/result-schema.ts';
import { InMemoryRunStore } from '../../engine/run-store.ts';
import { isPlanSettled } from '../../engine/scheduler.ts';
import { PlanTracker } from '../../engine/tracker.ts';
import { endRun, loadRunContext, orEnd, type WorkflowRoles } from './run-step-context.ts';

/** What the Plan & Execute workflow is started with (the playground renders it as a form). */
export const PlanExecuteInputSchema = z.object({
  task: z.string().min(1).describe('The task to plan and execute'),
  requireApproval: z.boolean().optional().describe('Suspend after planning until the plan is approved, rejected or edited'),
  maxReplans: z.number().int().min(0).optional().describe('Replanner calls allowed (default 2)'),
  maxRetries: z.number().int().min(0).optional().describe('Re-runs of a step after a retryable error (default 1)'),
  maxSteps: z.number().int().min(1).optional().describe('Longest plan accepted (default 10)'),
  maxStepIterations: z.number().int().min(1).optional().describe('Model turns inside one step (default 5)'),
  concurrency: z.number().int().min(1).optional().describe('Independent steps at once (default 4)'),
});

/** Where a workflow run stands between steps; the run itself lives in the RunStore. */
const RunStateSchema = z.object({
  runId: z.string().describe('The run id (the workflow run id)'),
  input: PlanExecuteInputSchema.describe('The task and options the run was started with'),
  state: z.enum(['running', 'settled', 'ended']).describe('running: steps left; settled: all done or skipped; ended: a result exists'),
  failures: z.number().describe('Permanent failures waiting for the replanner'),
});
type RunState = z.infer<typeof RunStateSchema>;

/** What approving a suspended plan takes. */
export const ApprovalSchema = z.object({
  approved: z.boolean().describe('true to run the plan, false to reject the run'),
  plan: PlanSchema.optional().describe('An edited plan to run instead (validated before use)'),
});

/** Options of {@link createPlanExecuteWorkflow}. */
export interface PlanExecuteWorkflowOptions extends Omit<WorkflowRoles, 'store'> {
  /** Checkpoints each run after every step transition. @default a new InMemoryRunStore */
  readonly store?: WorkflowRoles['store'];
  /** Workflow id. @default 'plan-execute' */
  readonly id?: string;
}

/**
 * The Plan & Execute pattern as a Mastra Workflow, over the same engine functions as the plain
 * loop: `plan` → `approve` (suspends when `requireApproval`) → a loop of `execute` (ready steps in
 * parallel) branching to `replan` after a permanent failure → `synthesize`. The workflow run id is
 * the engine's run id; the run is checkpointed in `store`, so a crashed run restarts without
 * re-running done steps.
 * @example mastra.getWorkflow('planExecute').createRun().then((run) => run.start({ inputData: { task } }))
 */
export function createPlanExecuteWorkflow({ id = 'plan-execute', store = new InMemoryRunStore(), ...roles }: PlanExecuteWorkflowOptions) {
  const deps: WorkflowRoles = { ...roles, store };

  const plan = createStep({
    id: 'plan',
    description: 'The planner writes the plan; an invalid plan goes back with the validator messages.',
    inputSchema: PlanExecuteInputSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext }) => {
      const context = await loadRunContext(deps, runId, inputData, { abortSignal, tracingContext });
      // Restarted after a crash: carry on from what the store holds.
      const state = (value: RunState['state'], failures = 0): RunState => ({ runId, input: inputData, state: value, failures });
      if ((await store.load(runId))?.result) return state('ended');
      if (context.hasPlan) return state('running', context.pendingFailures.length);
      context.emit({ type: 'run-started', task: inputData.task });
      const planned = async () => {
        context.tracker = PlanTracker.fromPlan(await makePlan(context));
        await context.checkpoint();
        return state('running');
      };
      return orEnd(context, planned, state('ended'));
    },
  });

  const approve = createStep({
    id: 'approve',
    description: 'With requireApproval: suspends with the plan until it is approved, rejected or edited.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    suspendSchema: z.object({ plan: PlanSchema }),
    resumeSchema: ApprovalSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext, suspend, resumeData }) => {
      if (inputData.state !== 'running' || !inputData.input.requireApproval) return inputData;
      const context = await loadRunContext(deps, runId, inputData.input, { abortSignal, tracingContext });
      if (!resumeData) return suspend({ plan: context.tracker.snapshot().initialPlan });
      const approved = async (): Promise<RunState> => {
        applyApproval(context, resumeData.approved ? (resumeData.plan ?? true) : false);
        await context.checkpoint();
        return inputData;
      };
      return orEnd<RunState>(context, approved, { ...inputData, state: 'ended' });
    },
  });

  const execute = createStep({
    id: 'execute',
    description: 'Runs every ready step, independent ones in parallel, until none can start or one failed for good.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext }) => {
      if (inputData.state !== 'running') return inputData;
      const context = await loadRunContext(deps, runId, inputData.input, { abortSignal, tracingContext });
      const executed = async (): Promise<RunState> => {
        await executeReadySteps(context);
        const failures = context.pendingFailures.length;
        return { ...inputData, state: failures === 0 && isPlanSettled(context.tracker.list()) ? 'settled' : 'running', failures };
      };
      return orEnd(context, executed, { ...inputData, state: 'ended', failures: 0 });
    },
  });

  const replan = createStep({
    id: 'replan',
    description: 'After a permanent failure the replanner decides: revise the steps not yet done, skip the failed one, or abort.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext }) => {
      const context = await loadRunContext(deps, runId, inputData.input, { abortSignal, tracingContext });
      const handled = async (): Promise<RunState> => {
        await handlePendingFailures(context);
        return { ...inputData, failures: 0 };
      };
      return orEnd(context, handled, { ...inputData, state: 'ended', failures: 0 });
    },
  });

  const proceed = createStep({
    id: 'proceed',
    description: 'No failure: carry on with the next ready steps.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData }) => inputData,
  });

  const iteration = createWorkflow({ id: `${id}-iteration`, inputSchema: RunStateSchema, outputSchema: RunStateSchema })
    .then(execute)
    .branch([
      [async ({ inputData }) => inputData.failures > 0, replan],
      [async ({ inputData }) => inputData.failures === 0, proceed],
    ])
    .map(async ({ inputData }) => (inputData.replan ?? inputData.proceed) as RunState)
    .commit();

  const finish = createStep({
    id: 'synthesize',
    description: 'The synthesizer merges the step outputs; the run result is stored and returned.',
    inputSchema: RunStateSchema,
    outputSchema: PlanRunResultSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext }) => {
      const stored = await store.load(runId);
      if (stored?.result) return asResultOutput(stored.result);
      const context = await loadRunContext(deps, runId, inputData.input, { abortSignal, tracingContext });
      try {
        return asResultOutput(await context.finish('completed', await synthesize(context), null));
      } catch (error) {
        return asResultOutput(await endRun(context, error));
      }
    },
  });

  return createWorkflow({
    id,
    description: 'Plan & Execute: a typed plan, parallel bounded execution, replanning, synthesis.',
    inputSchema: PlanExecuteInputSchema,
    outputSchema: PlanRunResultSchema,
  })
    .then(plan)
    .then(approve)
    .dountil(iteration, async ({ inputData }) => inputData.state !== 'running')
    .then(finish)
    .commit();
}
