import { raceAbort } from './abort.ts';
import { fillArgs, isDirectStep } from './direct-args.ts';
import { errorMessage } from './errors.ts';
import type { ToolArgs } from './plan-schema.ts';
import type { DirectCall } from './ports.ts';
import type { RunContext } from './run-context.ts';
import type { TrackedStep } from './tracker.ts';

/*
 * A direct step names its tool and arguments in the plan: the engine fills the references in and
 * calls the tool itself through the DirectToolRunner, with no model call; the tool's result is the
 * step's output. When the call fails (a reference cannot be filled, the tool throws, rejects the
 * filled arguments or reports failure), the same attempt goes to the executor agent with the
 * planned call and the error, and a `direct-call-failed` warning is raised: a weak plan still
 * completes, and the failure is visible. Every attempt (a retry too) tries the direct call first;
 * the decision needs no state, so it is the same after a resume.
 */

/** What trying a direct step's own call gave: its output, or the call to hand to the executor. */
export type DirectOutcome = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly call: DirectCall };

/** Whether the engine calls `step`'s tool itself: a direct step, and a runner to call it with. */
export function runsDirectly(context: RunContext, step: TrackedStep): boolean {
  return isDirectStep(step) && context.input.toolRunner !== undefined;
}

/** The output of a done step, or null (not done, or skipped): what a reference may use. */
function outputOf(context: RunContext, stepId: string): string | null {
  const step = context.tracker.list().find((candidate) => candidate.id === stepId);
  return step?.status === 'done' ? (step.output ?? '') : null;
}

/** The step's arguments with the references filled in, or the reason they cannot be. */
function filledArgs(context: RunContext, step: TrackedStep): { readonly args: ToolArgs | null; readonly error: string | null } {
  try {
    return { args: fillArgs(step.toolArgs ?? {}, (stepId) => outputOf(context, stepId)), error: null };
  } catch (error) {
    return { args: null, error: errorMessage(error) };
  }
}

/**
 * Calls a direct step's tool through the run's DirectToolRunner (`runsDirectly` must hold). A
 * failure is returned as the call for the executor, with a `direct-call-failed` warning; only a
 * cancellation or a timeout (the signal fired) is thrown.
 */
export async function callDirectly(context: RunContext, step: TrackedStep, abortSignal: AbortSignal): Promise<DirectOutcome> {
  const tool = step.tool as string;
  const filled = filledArgs(context, step);
  let error = filled.error;
  if (filled.args) {
    try {
      const runner = context.input.toolRunner!;
      return { ok: true, output: await raceAbort(runner.callTool({ stepId: step.id, tool, args: filled.args, abortSignal }), abortSignal) };
    } catch (thrown) {
      if (abortSignal.aborted) throw thrown;
      error = errorMessage(thrown);
    }
  }
  const call = context.redact({ tool, args: filled.args, error });
  warnFallback(context, step.id, tool, call.error ?? '');
  return { ok: false, call };
}

/** The planned call of a direct step the engine does not make itself (no runner): for the executor to make. */
export function plannedCall(context: RunContext, step: TrackedStep): DirectCall | undefined {
  if (!isDirectStep(step)) return undefined;
  const filled = filledArgs(context, step);
  return context.redact({ tool: step.tool, args: filled.args, error: filled.error });
}

function warnFallback(context: RunContext, stepId: string, tool: string, error: string): void {
  const warning = {
    stepId,
    warning: 'direct-call-failed' as const,
    message: `Step "${stepId}" could not call tool "${tool}" directly (${error}); the executor does the step instead`,
  };
  context.warnings.push(warning);
  context.emit({ type: 'step-warning', ...warning });
}
