import type { AnySpan } from '@mastra/core/observability';
import { z } from 'zod';
import { notify, type PlanRunListener } from '../../engine/events.ts';
import { finishRun, loadRun, releaseRun } from '../../engine/phases.ts';
import { createRedactor, secretsFromEnv, type Redactor } from '../../engine/redact.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { RunContext } from '../../engine/run-context.ts';
import type { ResumeInput, RunRoles } from '../../engine/run-input.ts';
import type { RunStore } from '../../engine/run-store.ts';
import { tracingListener } from '../tracing.ts';
import { createProgressWriter, type ProgressSink } from './progress.ts';
import { RunEndedError } from './run-ended-error.ts';

/** A run as a workflow input names it: the task, the roles and the settings, without the per-step hooks. */
export type RunSource = Omit<RunRoles, 'abortSignal' | 'onEvent'> & { readonly task: string };

/** Options of `createRunWorkflow`. */
export interface RunWorkflowOptions<TInput, TOutput> {
  readonly id: string;
  readonly description: string;
  /** What the workflow is started with (the Studio renders it as a form). */
  readonly inputSchema: z.ZodType<TInput>;
  /** What a completed run returns. */
  readonly outputSchema: z.ZodType<TOutput>;
  /** Checkpoints each run after every step transition. */
  readonly store: RunStore;
  /** Strings redacted wherever a run writes, on top of the environment's secrets. */
  readonly redact: readonly string[];
  /** Receives every engine event of every run. */
  readonly onEvent?: PlanRunListener | undefined;
  /** The run an input stands for; called by every workflow step (a run's steps may run in different processes). */
  readonly runSource: (input: TInput, runId: string) => Promise<RunSource>;
  /** Whether the run waits at `approve` until resumed. @default never */
  readonly requiresApproval?: (input: TInput) => boolean;
  /** The workflow's output for a run's result (completed, or carried as the RunEndedError's `output`). */
  readonly output: (result: PlanRunResult, input: TInput) => TOutput;
  /** Called once a run has ended, whatever its status. */
  readonly onRunEnd?: (runId: string) => void;
}

/** Where the plan stands after a workflow step; the Studio shows it as the step's output while the run goes on. */
export const PlanProgressSchema = z.object({
  steps: z
    .array(z.object({ id: z.string(), status: z.enum(['pending', 'in_progress', 'done', 'failed', 'skipped']) }))
    .describe('Every step of the current plan and its status'),
  revisions: z.number().describe('Changes to the plan so far: replans, skips, an edit at approval'),
});

/** What passes between the workflow's steps; the run itself lives in the RunStore. */
export interface RunState<TInput> {
  input: TInput;
  settled: boolean;
  progress: z.infer<typeof PlanProgressSchema>;
}

/** What each workflow step is handed by Mastra and passes on to the run. */
export interface StepHooks {
  readonly runId: string;
  readonly abortSignal: AbortSignal;
  readonly tracingContext?: { currentSpan?: AnySpan } | undefined;
  readonly writer?: ProgressSink | undefined;
  readonly bail: (output: unknown) => unknown;
}

/** Opens the run a step works on: the stored run by default; the plan step may start it. */
export type Opening = (input: ResumeInput & { readonly task: string }) => Promise<RunContext | PlanRunResult | null>;

/** What the workflow's steps share: the state they pass on, how a run ends the workflow, and how a step runs a phase. */
export interface RunDriver<TInput, TOutput> {
  readonly RunStateSchema: z.ZodType<RunState<TInput>>;
  /** The state after a phase (the input redacted: later steps read only its settings, and step outputs are stored). */
  stateOf(input: TInput, context: RunContext, settled: boolean): RunState<TInput>;
  /** A run's result as the workflow's end: its output when completed; otherwise throws a RunEndedError. */
  ended(result: PlanRunResult, input: TInput): TOutput;
  /**
   * Runs `phase` on the run `open` gives; a run that had ended already, or that the phase ends by
   * throwing, ends the workflow (bailing out with its output when completed). The step's progress
   * chunks are written before it returns.
   */
  onRun<T>(input: TInput, hooks: StepHooks, phase: (context: RunContext) => Promise<T>, open?: Opening): Promise<T>;
}

/** The run handling every step of a `createRunWorkflow` workflow shares. */
export function createRunDriver<TInput, TOutput>(options: RunWorkflowOptions<TInput, TOutput>): RunDriver<TInput, TOutput> {
  const secrets = [...secretsFromEnv(process.env), ...options.redact];
  const redactor = createRedactor({ extra: secrets });
  const ended = (result: PlanRunResult, input: TInput): TOutput => {
    options.onRunEnd?.(result.runId);
    const output = options.output(result, input);
    if (result.status !== 'completed') throw new RunEndedError(result, output === result ? undefined : output);
    return output;
  };
  /** The engine's input for one step: the run's source, the secrets to redact, the step's hooks and listeners. */
  const engineInput = async (input: TInput, hooks: StepHooks, progress: PlanRunListener) => {
    const source = await options.runSource(input, hooks.runId);
    const onEvent = allListeners([options.onEvent, tracingListener(hooks.tracingContext?.currentSpan), progress], redactor);
    const settings = { ...source.settings, redact: [...source.settings.redact, ...secrets] };
    return { ...source, settings, runId: hooks.runId, store: options.store, abortSignal: hooks.abortSignal, onEvent };
  };
  const onRun = async <T>(input: TInput, hooks: StepHooks, phase: (context: RunContext) => Promise<T>, open: Opening = loadRun): Promise<T> => {
    const onError = (error: unknown) => console.error('[mastra-plan-execute] progress could not be written:', redactor(error));
    const progress = createProgressWriter(hooks.writer, { onError });
    try {
      const opened = await open(await engineInput(input, hooks, progress.listener));
      if (opened === null) throw new Error(`Run "${hooks.runId}" is not in the store, although the plan step stored it`);
      if (!(opened instanceof RunContext)) return hooks.bail(ended(opened, input)) as never;
      const outcome = await runPhase(opened, phase);
      return 'value' in outcome ? outcome.value : (hooks.bail(ended(outcome.result, input)) as never);
    } finally {
      await progress.flush();
    }
  };
  return {
    RunStateSchema: z.object({
      input: options.inputSchema.describe('What the run was started with'),
      settled: z.boolean().describe('Every step is done or skipped'),
      progress: PlanProgressSchema,
    }),
    stateOf: (input, context, settled) => ({ input: redactor(input), settled, progress: planProgress(context) }),
    ended,
    onRun,
  };
}

/** Runs a phase; what it throws ends the run (a RunEndedError means the phase ended it already). The run's lease is released either way. */
async function runPhase<T>(context: RunContext, phase: (context: RunContext) => Promise<T>): Promise<{ value: T } | { result: PlanRunResult }> {
  try {
    return { value: await phase(context) };
  } catch (error) {
    if (RunEndedError.isInstance(error)) throw error;
    return { result: await finishRun(context, error) };
  } finally {
    // Between workflow steps (and while suspended for approval) no process owns the run.
    await releaseRun(context);
  }
}

/** Where the plan stands: each step's id and status, and how many times it changed. */
function planProgress(context: RunContext): z.infer<typeof PlanProgressSchema> {
  if (!context.hasPlan) return { steps: [], revisions: 0 };
  return { steps: context.tracker.list().map(({ id, status }) => ({ id, status })), revisions: context.tracker.revisions().length };
}

/** One listener calling each of `listeners`; none of them can break the run or the others. */
function allListeners(listeners: readonly (PlanRunListener | undefined)[], redact: Redactor): PlanRunListener | undefined {
  const present = listeners.filter((listener): listener is PlanRunListener => listener !== undefined);
  if (present.length <= 1) return present[0];
  const onListenerError = (error: unknown) => console.error('[mastra-plan-execute] onEvent listener threw:', redact(error));
  return (event) => {
    for (const listener of present) notify(listener, event, onListenerError);
  };
}
