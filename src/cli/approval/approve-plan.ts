import { isDeepStrictEqual } from 'node:util';
import { PlanSchema, type Plan } from '../../engine/plan-schema.ts';
import type { ApprovePlan } from '../../engine/settings.ts';
import { validatePlan, type PlanValidationContext } from '../../engine/validate-plan.ts';
import { writeLine } from '../io.ts';
import { plural, stepList } from '../output/plain-lines.ts';
import { EditorError } from './editor.ts';
import { LineReader } from './line-reader.ts';

/** The question asked until it gets y, n or e. */
export const APPROVAL_QUESTION = 'Run this plan? [y]es, [n]o, [e]dit: ';

/** Options of `createPlanApprover`. */
export interface PlanApproverOptions {
  /** Where the answers come from (the terminal). */
  readonly input: NodeJS.ReadableStream;
  /** Where the plan and the question go. */
  readonly output: NodeJS.WritableStream;
  /** What an edited plan is validated against: the executor's tool names and the longest plan. */
  readonly validation: PlanValidationContext;
  /** Opens the text in an editor and returns the edited text (see `editText`). */
  readonly editPlan: (text: string) => Promise<string>;
  /** Called before the prompt takes the terminal and after it gives it back. */
  readonly onPromptStart?: () => void;
  readonly onPromptEnd?: () => void;
}

/** An `approvePlan` hook that asks on the terminal, and `close()` to release the input. */
export interface PlanApprover {
  readonly approvePlan: ApprovePlan;
  /** Stops reading the input (a pending question then rejects the plan); idempotent. */
  close(): void;
}

/** The plan as the approval prompt shows it. */
export function formatPlanForApproval(plan: Plan): string {
  const lines = [`Plan (${plural(plan.steps.length, 'step')}): ${plan.goal}`, stepList(plan.steps)];
  if (plan.rationale) lines.push(`  why: ${plan.rationale}`);
  return lines.join('\n');
}

/** Why the edited text is not a runnable plan; the parsed plan when it is. */
export function checkEditedPlan(text: string, validation: PlanValidationContext): { ok: true; plan: Plan } | { ok: false; issues: string[] } {
  let candidate: unknown;
  try {
    candidate = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [`The edited plan is not valid JSON: ${(error as Error).message}`] };
  }
  const verdict = validatePlan(candidate, validation);
  return verdict.ok ? { ok: true, plan: verdict.plan } : { ok: false, issues: [...verdict.issues] };
}

/**
 * The run's approval gate: shows the plan and asks y (run it), n (reject it) or e (edit it as JSON
 * in the editor, validate it, show it and ask again; an invalid edit shows the issues, keeps the
 * plan as it was and asks again, and the next e reopens the edited text). The end of the input
 * rejects the plan.
 */
export function createPlanApprover({ input, output, validation, editPlan, onPromptStart, onPromptEnd }: PlanApproverOptions): PlanApprover {
  let reader: LineReader | undefined;
  let closed = false;
  const say = (text: string) => writeLine(output, text);

  const ask = async (): Promise<string | null> => {
    if (closed) return null;
    reader ??= new LineReader(input);
    output.write(APPROVAL_QUESTION);
    const answer = await reader.next();
    if (closed) {
      say(''); // leave the prompt's line for whatever comes next
      return null;
    }
    // A terminal echoes what was typed; piped answers (and the end of input) are echoed here so the transcript reads right.
    if (answer === null || !(input as { isTTY?: boolean }).isTTY) say(answer ?? '');
    return answer;
  };

  const edit = async (draft: string): Promise<string> => {
    reader?.pause();
    try {
      return await editPlan(draft);
    } finally {
      reader?.resume();
    }
  };

  const decide = async (original: Plan): Promise<boolean | Plan> => {
    let plan = original;
    let draft = JSON.stringify(PlanSchema.parse(original), null, 2);
    say(formatPlanForApproval(plan));
    for (;;) {
      const answer = await ask();
      if (answer === null) {
        // Closed means Ctrl-C: the run is being cancelled, which says enough.
        if (!closed) say('No answer (the input ended): the plan is rejected.');
        return false;
      }
      switch (answer.trim().toLowerCase()) {
        case 'y':
        case 'yes':
          return isDeepStrictEqual(plan, original) ? true : plan;
        case 'n':
        case 'no':
          return false;
        case 'e':
        case 'edit': {
          try {
            draft = await edit(draft);
          } catch (error) {
            if (!(error instanceof EditorError)) throw error;
            say(`${error.message}; the plan is unchanged.`);
            continue;
          }
          const verdict = checkEditedPlan(draft, validation);
          if (verdict.ok) {
            plan = verdict.plan;
            say(formatPlanForApproval(plan));
          } else {
            say(`The edited plan is invalid; the plan is unchanged:\n${verdict.issues.map((issue) => `  - ${issue}`).join('\n')}`);
          }
          continue;
        }
        default:
          say('Please answer y, n or e.');
      }
    }
  };

  return {
    approvePlan: async (plan) => {
      onPromptStart?.();
      try {
        return await decide(plan);
      } finally {
        // One question per run: stop reading so that stdin no longer holds the process open.
        reader?.close();
        reader = undefined;
        onPromptEnd?.();
      }
    },
    close: () => {
      closed = true;
      reader?.close();
    },
  };
}
