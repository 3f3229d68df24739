import type { AnySpan } from '@mastra/core/observability';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { checkOutputModes, type StructuredOutputOptions } from '../../agents/output-mode.ts';
import { notify, type PlanRunListener } from '../../engine/events.ts';
import type { PlanCache } from '../../engine/plan-cache.ts';
import { approveRun, finishRun, handleFailures, iterate, loadRun, planAndApprove, planRun, releaseRun, startRun } from '../../engine/phases.ts';
import { PlanSchema } from '../../engine/plan-schema.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { asResultOutput, PlanRunResultSchema } from '../../engine/result-schema.ts';
import { createRedactor, secretsFromEnv, type Redactor } from '../../engine/redact.ts';
import { RunContext } from '../../engine/run-context.ts';
import { InMemoryRunStore, type RunStore } from '../../engine/run-store.ts';
import { resolveSettings } from '../../engine/settings.ts';
import { agentRunRoles, type RoleAgents } from '../agent-roles.ts';
import { tracingListener } from '../tracing.ts';

/** What the Plan & Execute workflow is started with (the playground renders it as a form). */
export const PlanExecuteInputSchema = z.object({
  task: z.string().min(1).describe('The task to plan and execute'),
  requireApproval: z.boolean().optional().describe('Suspend after planning until the plan is approved, rejected or edited'),
  maxReplans: z.number().int().min(0).optional().describe('Replanner calls allowed (default 2)'),
  maxRetries: z.number().int().min(0).optional().describe('Re-runs of a step after a retryable error (default 1)'),
  maxPlanSteps: z.number().int().min(1).optional().describe('Longest plan accepted (default 10)'),
  maxStepIterations: z.number().int().min(1).optional().describe('Model turns inside one step (default 5)'),
  concurrency: z.number().int().min(1).optional().describe('Independent steps at once (default 4)'),
});
type PlanExecuteInput = z.infer<typeof PlanExecuteInputSchema>;

/** What passes between the workflow's steps; the run itself lives in the RunStore. */
const RunStateSchema = z.object({
  input: PlanExecuteInputSchema.describe('The task and options the run was started with'),
  settled: z.boolean().describe('Every step is done or skipped'),
});
type RunState = z.infer<typeof RunStateSchema>;

/** What approving a suspended plan takes. */
export const ApprovalSchema = z.object({
  approved: z.boolean().describe('true to run the plan, false to reject the run'),
  plan: PlanSchema.optional().describe('An edited plan to run instead (validated before use)'),
});

/** Options of {@link createPlanExecuteWorkflow}. */
export interface PlanExecuteWorkflowOptions extends RoleAgents {
  /** Checkpoints each run after every step transition. @default a new InMemoryRunStore */
  readonly store?: RunStore;
  /** Receives every engine event of every run. */
  readonly onEvent?: PlanRunListener;
  /** How the planner and the executor obtain structured answers. @default { planner: 'auto', executor: 'auto' } */
  readonly structuredOutput?: StructuredOutputOptions;
  /** Workflow id. @default 'plan-execute' */
  readonly id?: string;
  /** Strings replaced by `[REDACTED]` wherever a run writes, on top of the environment's secrets. @default [] */
  readonly redact?: readonly string[];
  /** Plans kept across runs: a run of a cached task skips the planner (see PlanAndExecuteOptions.planCache). @default none */
  readonly planCache?: PlanCache;
}

/** What each workflow step is handed by Mastra and passes on to the run. */
interface StepHooks {
  readonly runId: string;
  readonly abortSignal: AbortSignal;
  readonly tracingContext?: { currentSpan?: AnySpan } | undefined;
}

/**
 * The Plan & Execute pattern as a Mastra Workflow over the engine's phase functions: `plan`
 * (startRun, planAndApprove or planRun) → `approve` (suspends when `requireApproval`; approveRun)
 * → a loop of `iterate` (ready steps in parallel; handleFailures after permanent failures) →
 * `synthesize` (finishRun). A run that ends early bails out with its result. The workflow run id
 * is the engine's run id; the run is checkpointed in `store`, so a crashed run restarts without
 * re-running done steps.
 * @example mastra.getWorkflow('planExecute').createRun().then((run) => run.start({ inputData: { task } }))
 */
export function createPlanExecuteWorkflow({
  id = 'plan-execute',
  store = new InMemoryRunStore(),
  onEvent,
  structuredOutput = {},
  redact = [],
  planCache,
  ...agents
}: PlanExecuteWorkflowOptions) {
  checkOutputModes(structuredOutput);
  resolveSettings({ redact });
  const secrets = [...secretsFromEnv(process.env), ...redact];
  const redactor = createRedactor({ extra: secrets });
  /** The run's input for one workflow step: the agents' roles, the settings from the workflow input, this step's hooks. */
  const runInput = async ({ task, requireApproval, ...settings }: PlanExecuteInput, hooks: StepHooks) => {
    void requireApproval; // a workflow switch, not a run setting
    const listener = bothListeners(onEvent, tracingListener(hooks.tracingContext?.currentSpan), redactor);
    const roles = await agentRunRoles(
      agents,
      resolveSettings({ ...settings, redact: secrets }),
      { abortSignal: hooks.abortSignal, onEvent: listener, planCache },
      structuredOutput,
    );
    return { ...roles, task, runId: hooks.runId, store };
  };

  /**
   * Runs `phase` on the run `opening` gives (by default the stored run, reopened); whatever ends
   * the run instead is finished and bailed out with.
   */
  const onRun = async <T>(
    input: PlanExecuteInput,
    hooks: StepHooks,
    bail: (result: unknown) => unknown,
    phase: (context: RunContext) => Promise<T>,
    opening: Promise<RunContext | PlanRunResult | null> = runInput(input, hooks).then(loadRun),
  ) => {
    const opened = await opening;
    if (opened === null) throw new Error(`Run "${hooks.runId}" is not in the store, although the plan step stored it`);
    if (!(opened instanceof RunContext)) return bail(asResultOutput(opened)) as never;
    try {
      return await phase(opened);
    } catch (error) {
      return bail(asResultOutput(await finishRun(opened, error))) as never;
    } finally {
      // Between workflow steps (and while suspended for approval) no process owns the run.
      await releaseRun(opened);
    }
  };

  const plan = createStep({
    id: 'plan',
    description: 'The planner writes the plan; an invalid plan goes back with the validator messages.',
    inputSchema: PlanExecuteInputSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext, bail }) => {
      const hooks = { runId, abortSignal, tracingContext };
      const input = await runInput(inputData, hooks);
      // Restarted after a crash, the run is already stored: carry on from there.
      const opening = (await store.load(runId)) ? loadRun(input) : startRun(input);
      const phase = inputData.requireApproval ? planRun : planAndApprove;
      const planned = async (context: RunContext): Promise<RunState> => {
        await phase(context);
        return { input: inputData, settled: false };
      };
      return onRun(inputData, hooks, bail, planned, opening);
    },
  });

  const approve = createStep({
    id: 'approve',
    description: 'With requireApproval: suspends with the plan until it is approved, rejected or edited.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    suspendSchema: z.object({ plan: PlanSchema }),
    resumeSchema: ApprovalSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext, suspend, resumeData, bail }) => {
      if (!inputData.input.requireApproval) return inputData;
      return onRun(inputData.input, { runId, abortSignal, tracingContext }, bail, async (context) => {
        if (!resumeData) return suspend({ plan: context.tracker.snapshot().initialPlan });
        await approveRun(context, resumeData.approved ? (resumeData.plan ?? true) : false);
        return inputData;
      });
    },
  });

  const iterateStep = createStep({
    id: 'iterate',
    description: 'Runs every ready step, independent ones in parallel; after permanent failures the replanner revises, skips or aborts.',
    inputSchema: RunStateSchema,
    outputSchema: RunStateSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext, bail }) =>
      onRun(inputData.input, { runId, abortSignal, tracingContext }, bail, async (context): Promise<RunState> => {
        if ((await iterate(context)) === 'settled') return { ...inputData, settled: true };
        await handleFailures(context);
        return inputData;
      }),
  });

  const synthesize = createStep({
    id: 'synthesize',
    description: 'The synthesizer merges the step outputs; the run result is stored and returned.',
    inputSchema: RunStateSchema,
    outputSchema: PlanRunResultSchema,
    execute: async ({ inputData, runId, abortSignal, tracingContext, bail }) =>
      onRun(inputData.input, { runId, abortSignal, tracingContext }, bail, async (context) => asResultOutput(await finishRun(context))),
  });

  return createWorkflow({
    id,
    description: 'Plan & Execute: a typed plan, parallel bounded execution, replanning, synthesis.',
    inputSchema: PlanExecuteInputSchema,
    outputSchema: PlanRunResultSchema,
  })
    .then(plan)
    .then(approve)
    .dountil(iterateStep, async ({ inputData }) => inputData.settled)
    .then(synthesize)
    .commit();
}

function bothListeners(first: PlanRunListener | undefined, second: PlanRunListener | undefined, redact: Redactor): PlanRunListener | undefined {
  if (!first || !second) return first ?? second;
  const onListenerError = (error: unknown) => console.error('[mastra-plan-execute] onEvent listener threw:', redact(error));
  return (event) => {
    notify(first, event, onListenerError);
    notify(second, event, onListenerError);
  };
}
