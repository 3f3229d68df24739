import type { ModelCallRole, PlanExecuteError, PlanExecuteErrorCode } from './errors.ts';
import type { Plan, ReplanDecision } from './plan-schema.ts';
import type { PlanRunResult, RunStatus, RunWarningKind, StepResult } from './result.ts';
import type { PlanRevision } from './tracker.ts';
import type { TokenUsage } from './usage.ts';

/** Fields of every event. */
interface EventBase {
  /** The run that emitted it. */
  readonly runId: string;
  /** When (ISO 8601). */
  readonly timestamp: string;
}

/** Everything a run reports while it goes, in the order it happens. */
export type PlanRunEvent = EventBase &
  (
    | { readonly type: 'run-started'; readonly task: string }
    | { readonly type: 'run-resumed'; readonly task: string; readonly doneStepIds: readonly string[] }
    | { readonly type: 'plan-created'; readonly plan: Plan; readonly attempt: number }
    | {
        readonly type: 'plan-cached';
        /** The plan taken from the plan cache (validated against today's tools); the planner was not called. */
        readonly plan: Plan;
        /** The cache key it was stored under. */
        readonly key: string;
      }
    | { readonly type: 'plan-invalid'; readonly issues: readonly string[]; readonly attempt: number }
    | { readonly type: 'plan-approved'; readonly plan: Plan; readonly edited: boolean }
    | { readonly type: 'plan-rejected'; readonly plan: Plan }
    | {
        readonly type: 'step-started';
        readonly stepId: string;
        readonly attempt: number;
        readonly description: string;
        /** Present (true) when the engine calls the step's tool itself (a direct step), without an executor model call. */
        readonly direct?: true;
        /** Present (true) when the attempt started while the planner was still writing (`streamPlan`) and the run took it over. */
        readonly early?: true;
      }
    | { readonly type: 'step-finished'; readonly stepId: string; readonly result: StepResult }
    | { readonly type: 'step-failed'; readonly stepId: string; readonly result: StepResult }
    | { readonly type: 'step-retried'; readonly stepId: string; readonly attempt: number; readonly error: string }
    | { readonly type: 'step-skipped'; readonly stepId: string; readonly reason: string }
    | { readonly type: 'replan-decided'; readonly stepId: string; readonly action: ReplanDecision['action']; readonly rationale: string }
    | { readonly type: 'plan-revised'; readonly revision: PlanRevision }
    | {
        readonly type: 'model-called';
        /** Which role called its model. */
        readonly role: ModelCallRole;
        /** The step, for the executor; null otherwise. */
        readonly stepId: string | null;
        /** How the structured answer was obtained (`native`, `prompt`, `tool`, `text`), when the role says. */
        readonly mode: string | null;
        /** Tokens the call spent. */
        readonly usage: TokenUsage;
        /** How long the call took. */
        readonly durationMs: number;
        /** Near misses the tolerant reader fixed in the answer; empty when none. */
        readonly repairs: readonly string[];
        /** The code of the error the call ended with (a malformed answer, a refused or failed request); null when it answered. */
        readonly error: PlanExecuteErrorCode | null;
      }
    | {
        readonly type: 'step-warning';
        readonly stepId: string;
        /** `no-tool-call`: the plan named a tool and the executor made no tool call; `direct-call-failed`: a direct step's own call failed and the executor does the step. */
        readonly warning: RunWarningKind;
        readonly message: string;
      }
    | { readonly type: 'synthesis-finished'; readonly output: string; readonly usage: TokenUsage }
    | {
        readonly type: 'run-finished';
        readonly status: RunStatus;
        readonly result: PlanRunResult;
        /** The error that ended the run, when it did not complete. */
        readonly error: PlanExecuteError | null;
      }
  );

/** The `type` of every event. */
export type PlanRunEventType = PlanRunEvent['type'];

/** An event before the run stamps it with `runId` and `timestamp`. */
export type PlanRunEventInput = PlanRunEvent extends infer E ? (E extends PlanRunEvent ? Omit<E, 'runId' | 'timestamp'> : never) : never;

/** A listener for run events; it may be async. What it returns is ignored (a promise is awaited for its errors only). */
export type PlanRunListener = (event: PlanRunEvent) => unknown;

/**
 * Calls `listener` without ever letting it break the run: a throw or a rejected promise is
 * reported to `onListenerError` (default: console.error) and otherwise ignored.
 */
export function notify(
  listener: PlanRunListener | undefined,
  event: PlanRunEvent,
  onListenerError: (error: unknown) => void = (error) => console.error('[mastra-plan-execute] onEvent listener threw:', error),
): void {
  if (!listener) return;
  try {
    const returned = listener(event) as Partial<PromiseLike<unknown>> | undefined;
    if (returned && typeof returned.then === 'function') returned.then(undefined, onListenerError);
  } catch (error) {
    onListenerError(error);
  }
}
