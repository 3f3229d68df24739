import { z } from 'zod';
import { checkOutputModes, type StructuredOutputOptions } from '../../agents/output-mode.ts';
import type { PlanRunListener } from '../../engine/events.ts';
import type { PlanCache } from '../../engine/plan-cache.ts';
import { asResultOutput, PlanRunResultSchema } from '../../engine/result-schema.ts';
import { InMemoryRunStore, type RunStore } from '../../engine/run-store.ts';
import { resolveSettings } from '../../engine/settings.ts';
import { agentRunRoles, type RoleAgents } from '../agent-roles.ts';
import { createRunWorkflow } from './run-workflow.ts';

export { ApprovalSchema } from './run-workflow.ts';

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

/**
 * The Plan & Execute pattern as a Mastra Workflow over the engine's phase functions: `plan`
 * (startRun, planAndApprove or planRun) → `approve` (suspends when `requireApproval`; approveRun)
 * → a loop of `iterate` (ready steps in parallel; handleFailures after permanent failures) →
 * `synthesize` (finishRun). The workflow run id is the engine's run id; the run is checkpointed in
 * `store`, so a crashed run restarts without re-running done steps.
 *
 * How a run ends the workflow (the Studio's badge says the same):
 * - `completed` → `success`, with the PlanRunResult as the workflow's result;
 * - `failed`, `aborted`, `rejected`, `cancelled` → `failed`, with a RunEndedError as the workflow's
 *   `error`: the code and message of the error that ended the run, its `status`, `runId` and the
 *   whole PlanRunResult as `result`. Only a completed run is a success: an aborted run (the
 *   replanner or the token budget stopped it) did not do what it was asked, and a rejected plan
 *   ran nothing. When Mastra's own `run.cancel()` stopped the run, Mastra reports `canceled`, and
 *   the RunEndedError (status `cancelled`) is the error of the step that was running.
 * `planRunResultOf(workflowResult)` gives the PlanRunResult back in every case.
 *
 * While a run goes on, each step writes the run's events to its `writer` as PlanRunProgress chunks
 * (`workflow-step-output` chunks of `run.stream()`, redacted, bounded), and the `plan`, `approve`
 * and `iterate` steps output where the plan stands (`progress`: each step's status, revisions).
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
  return createRunWorkflow({
    id,
    description: 'Plan & Execute: a typed plan, parallel bounded execution, replanning, synthesis.',
    inputSchema: PlanExecuteInputSchema,
    outputSchema: PlanRunResultSchema,
    store,
    redact,
    onEvent,
    requiresApproval: (input) => input.requireApproval === true,
    runSource: async ({ task, requireApproval, ...settings }) => {
      void requireApproval; // a workflow switch, not a run setting
      return { ...(await agentRunRoles(agents, resolveSettings(settings), { planCache }, structuredOutput)), task };
    },
    output: (result) => asResultOutput(result),
  });
}
