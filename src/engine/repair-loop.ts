import { isPlanExecuteError, PlanValidationError } from './errors.ts';
import type { ModelCallRole } from './errors.ts';
import type { RoleReply } from './ports.ts';
import { RunEnd, type RunContext } from './run-context.ts';

/** A checked answer: the value to use, or what is wrong with it (phrased for the model). */
export type Verdict<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly string[] };

/** What a repair loop asks and checks. */
export interface RepairRequest<A, T> {
  /** The role called (`planner` for plans, `replanner` for decisions). */
  readonly role: ModelCallRole;
  /** One model call, given the problems of the previous answer (empty at first). */
  readonly ask: (feedback: readonly string[], abortSignal: AbortSignal) => Promise<RoleReply<A>>;
  /** Checks an answer. */
  readonly check: (answer: A) => Verdict<T>;
}

/**
 * Asks until an answer passes its check: a rejected or malformed answer goes back with the
 * problems found, at most `maxPlanRepairs` times (each rejection emits `plan-invalid`); then the
 * run fails with a PlanValidationError. Returns the value and the attempt that produced it.
 */
export async function askWithRepairs<A, T>(context: RunContext, { role, ask, check }: RepairRequest<A, T>): Promise<{ value: T; attempt: number }> {
  let feedback: readonly string[] = [];
  let rejected: unknown = null;
  for (let attempt = 1; attempt <= context.input.settings.maxPlanRepairs + 1; attempt++) {
    try {
      const { value: answer } = await context.call(role, (abortSignal) => ask(feedback, abortSignal));
      const verdict = check(answer);
      if (verdict.ok) return { value: verdict.value, attempt };
      [feedback, rejected] = [verdict.issues, answer];
    } catch (error) {
      if (!isPlanExecuteError(error, 'MODEL_OUTPUT_INVALID')) throw error;
      [feedback, rejected] = [error.issues, error.rawText];
    }
    context.emit({ type: 'plan-invalid', issues: feedback, attempt });
  }
  throw new RunEnd('failed', new PlanValidationError(feedback, rejected));
}
