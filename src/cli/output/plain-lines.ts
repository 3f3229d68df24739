/** Plain progress: one line (or a few) per event, for a piped stdout and logs. */
import { isRunEndingError, type PlanExecuteError } from '../../engine/errors.ts';
import type { PlanRunEvent } from '../../engine/events.ts';
import type { PlanStep } from '../../engine/plan-schema.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import type { StepStatus } from '../../engine/tracker.ts';

const MARKS: Record<StepStatus, string> = { pending: '[ ]', in_progress: '[~]', done: '[x]', failed: '[!]', skipped: '[-]' };

const oneLine = (text: string, limit = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
};

/** `1 step`, `2 steps`. */
export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Steps as an indented list, each with what it waits for. */
export const stepList = (steps: readonly PlanStep[]) =>
  steps.map((step) => `    - ${step.id}: ${step.description}${step.dependsOn.length ? ` (after ${step.dependsOn.join(', ')})` : ''}`).join('\n');

/** One event as a line (or a few) of plain progress text; null for events not worth a line. */
export function formatEvent(event: PlanRunEvent): string | null {
  switch (event.type) {
    case 'run-started':
      return `run ${event.runId.slice(0, 8)}: ${oneLine(event.task)}`;
    case 'run-resumed':
      return `run ${event.runId.slice(0, 8)} resumed: ${oneLine(event.task)}${event.doneStepIds.length ? ` (already done: ${event.doneStepIds.join(', ')})` : ''}`;
    case 'plan-created':
      return `  plan (${plural(event.plan.steps.length, 'step')}): ${oneLine(event.plan.goal)}\n${stepList(event.plan.steps)}`;
    case 'plan-cached':
      return '  plan taken from the plan cache (the planner was not called)';
    case 'plan-invalid':
      return `  plan rejected by the validator (attempt ${event.attempt}): ${event.issues.join('; ')}`;
    case 'plan-approved':
      return `  plan approved${event.edited ? ' (edited)' : ''}`;
    case 'plan-rejected':
      return '  plan rejected at approval';
    case 'step-started':
      return `  > ${event.stepId} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}${event.early ? ' (while the plan was written)' : ''}`;
    case 'step-finished':
      return `  ${MARKS.done} ${event.stepId}: ${oneLine(event.result.output ?? '')}`;
    case 'step-failed':
      return `  ${MARKS.failed} ${event.stepId} failed: ${oneLine(event.result.error ?? '')}`;
    case 'step-retried':
      return `  ~ ${event.stepId} will be retried (attempt ${event.attempt})`;
    case 'step-skipped':
      return `  ${MARKS.skipped} ${event.stepId} skipped: ${oneLine(event.reason)}`;
    case 'step-warning':
      return `  ${WARNING_MARK} ${event.stepId}: ${oneLine(event.message, 200)} (${event.warning})`;
    case 'model-called':
      // Printed only with --verbose, by formatModelCall.
      return null;
    case 'replan-decided':
      // Its effect gets its own line: the revision, the skip, or the end of the run.
      return null;
    case 'plan-revised':
      return `  plan revised (#${event.revision.revision}, ${event.revision.kind}): ${oneLine(event.revision.reason)}\n${stepList(event.revision.stepsAfter)}`;
    case 'synthesis-finished':
      return '  synthesis done';
    case 'run-finished':
      return `run ${event.status}${event.error ? `: ${endingDetail(event.error)}` : ''}`;
  }
}

/** After the status: the error's message, or only its code when `run` prints the error on a line of its own. */
const endingDetail = (error: PlanExecuteError) => (isRunEndingError(error) ? error.code : error.message);

/** The mark of a step warning, in plain lines as on the checklist. */
export const WARNING_MARK = '⚠';

/**
 * One model call as a `--verbose` line: role (and step), how the structured answer was obtained,
 * tokens, duration, and the near misses the tolerant reader repaired, when there were any.
 * @example `  model call: executor (step write), mode tool, 15 tokens (10 in, 5 out) in 42 ms`
 */
export function formatModelCall(event: Extract<PlanRunEvent, { type: 'model-called' }>): string {
  const who = event.stepId === null ? event.role : `${event.role} (step ${event.stepId})`;
  const mode = event.mode === null ? '' : `, mode ${event.mode}`;
  const { inputTokens, outputTokens, totalTokens } = event.usage;
  const repairs = event.repairs.length ? `, repaired: ${event.repairs.join(', ')}` : '';
  const failed = event.error ? `, failed: ${event.error}` : '';
  return `  model call: ${who}${mode}, ${plural(totalTokens, 'token')} (${inputTokens} in, ${outputTokens} out) in ${Math.round(event.durationMs)} ms${repairs}${failed}`;
}

/** Tokens in total and per role, then the attempts and the duration, on one line. */
export function formatUsage(result: PlanRunResult): string {
  const roles = Object.entries(result.usage.byRole)
    .map(([role, tokens]) => `${role} ${tokens.totalTokens}`)
    .join(', ');
  return `tokens: ${result.usage.totalTokens} (${roles}); ${plural(result.steps.length, 'step attempt')} in ${result.durationMs} ms`;
}

/** The final plan as a checklist, then the answer and the token usage. */
export function formatResult(result: PlanRunResult): string {
  const checklist = result.plan.map((step) => `  ${MARKS[step.status]} ${step.id}: ${step.description}`).join('\n');
  return [
    `status: ${result.status}${result.replanned ? ` (replanned ${result.revisions.length}x)` : ''}`,
    'final plan:',
    checklist,
    `answer: ${result.finalOutput}`,
    formatUsage(result),
  ].join('\n');
}
