import { isRunEndingError, type PlanExecuteError } from '../../engine/errors.ts';
import type { PlanRunEvent } from '../../engine/events.ts';
import type { PlanStep } from '../../engine/plan-schema.ts';
import type { RunStatus } from '../../engine/result.ts';
import type { PlanRevision, StepStatus } from '../../engine/tracker.ts';
import { plural } from './plain-lines.ts';

/** How a row of the checklist looks: a tracker status, or what the view adds to it. */
export type RowState = StepStatus | 'retrying' | 'replaced' | 'interrupted';

/** One step as the checklist shows it. */
export interface ChecklistRow {
  /** The step's id. */
  readonly id: string;
  /** What the step does. */
  readonly description: string;
  /** Where it stands. */
  readonly state: RowState;
  /** Attempts started so far. */
  readonly attempt: number;
  /** Its output once done, its error once failed, why it was skipped or replaced; null before. */
  readonly note: string | null;
  /** What went wrong without failing the attempt (the plan named a tool, none was called); null when nothing. */
  readonly warning: string | null;
}

/** Steps a replan (or an edit at approval) took out of the plan, kept to show what happened. */
export interface ReplacedGroup {
  /** The revision's number. */
  readonly revision: number;
  /** Why the plan changed. */
  readonly reason: string;
  /** The rows it replaced, as they stood. */
  readonly rows: readonly ChecklistRow[];
}

/** Everything the live view shows of one run; built from its events by `applyEvent`. */
export interface ChecklistState {
  /** The task. */
  readonly task: string;
  /** The plan's goal; null before a plan exists. */
  readonly goal: string | null;
  /** The current plan's steps, in plan order. */
  readonly rows: readonly ChecklistRow[];
  /** Every group of replaced steps, oldest first. */
  readonly replaced: readonly ReplacedGroup[];
  /** What the run is doing now. */
  readonly phase: 'planning' | 'running' | 'finished';
  /** How it ended; null while it runs. */
  readonly status: RunStatus | null;
  /** The latest thing worth saying that has no row: an invalid plan, the error that ended the run. */
  readonly notice: string | null;
}

/** The state before the first event. */
export const INITIAL_CHECKLIST: ChecklistState = Object.freeze({
  task: '',
  goal: null,
  rows: [],
  replaced: [],
  phase: 'planning',
  status: null,
  notice: null,
});

const pendingRow = (step: Pick<PlanStep, 'id' | 'description'>): ChecklistRow => ({
  id: step.id,
  description: step.description,
  state: 'pending',
  attempt: 0,
  note: null,
  warning: null,
});

const updateRow = (state: ChecklistState, id: string, change: Partial<ChecklistRow>): ChecklistState => ({
  ...state,
  rows: state.rows.map((row) => (row.id === id ? { ...row, ...change } : row)),
});

/** The checklist after `event`; never mutates `state`. */
export function applyEvent(state: ChecklistState, event: PlanRunEvent): ChecklistState {
  switch (event.type) {
    case 'run-started':
      return { ...INITIAL_CHECKLIST, task: event.task };
    case 'run-resumed':
      // The event names the done steps but not the plan: rows appear as their steps start.
      return { ...INITIAL_CHECKLIST, task: event.task, phase: 'running', notice: `resumed with ${plural(event.doneStepIds.length, 'step')} already done` };
    case 'plan-created':
      return { ...state, goal: event.plan.goal, rows: event.plan.steps.map(pendingRow), phase: 'running', notice: null };
    case 'plan-cached':
      // The plan-created event that follows it shows the plan.
      return state;
    case 'plan-invalid':
      return { ...state, notice: `the planner's answer was invalid (attempt ${event.attempt}): ${event.issues.join('; ')}` };
    case 'plan-approved':
      return event.edited ? { ...state, goal: event.plan.goal, rows: event.plan.steps.map(pendingRow), notice: 'plan edited at approval' } : state;
    case 'plan-rejected':
      return { ...state, notice: 'plan rejected at approval' };
    case 'step-started': {
      const known = state.rows.some((row) => row.id === event.stepId);
      const rows = known ? state.rows : [...state.rows, pendingRow({ id: event.stepId, description: event.description })];
      // A notice (an invalid plan, an edit at approval) is news until execution goes on.
      // A new attempt starts clean: the last one's warning was about that attempt.
      return updateRow({ ...state, rows, notice: null }, event.stepId, { state: 'in_progress', attempt: event.attempt, note: null, warning: null });
    }
    case 'step-finished':
      return updateRow(state, event.stepId, { state: 'done', note: event.result.output });
    case 'step-failed':
      return updateRow(state, event.stepId, { state: 'failed', note: event.result.error });
    case 'step-retried':
      return updateRow(state, event.stepId, { state: 'retrying', note: event.error });
    case 'step-skipped':
      return updateRow(state, event.stepId, { state: 'skipped', note: event.reason });
    case 'step-warning':
      return updateRow(state, event.stepId, { warning: event.message });
    case 'model-called':
      // One line each with --verbose, printed above the checklist; the rows do not change.
      return state;
    case 'replan-decided':
      // What the decision does shows in the revision, skip or end that follows it.
      return state;
    case 'plan-revised':
      return event.revision.kind === 'skip' ? state : replaceRows(state, event.revision);
    case 'synthesis-finished':
      return { ...state, phase: 'finished' };
    case 'run-finished':
      return finish(state, event.status, endingNotice(event.error));
  }
}

/** A revision replaces every step not yet done: those rows move to a replaced group, the new steps start pending. */
function replaceRows(state: ChecklistState, revision: PlanRevision): ChecklistState {
  const done = new Map(state.rows.filter((row) => row.state === 'done').map((row) => [row.id, row]));
  const removed = state.rows.filter((row) => row.state !== 'done').map((row) => (row.state === 'failed' ? row : { ...row, state: 'replaced' as const }));
  return {
    ...state,
    rows: revision.stepsAfter.map((step) => done.get(step.id) ?? pendingRow(step)),
    replaced: [...state.replaced, { revision: revision.revision, reason: revision.reason, rows: removed }],
  };
}

/**
 * What the last line says after the status. When the model server refused a request or could not
 * be reached, the command prints that error on a line of its own: the checklist names the code.
 */
function endingNotice(error: PlanExecuteError | null): string | null {
  if (!error) return null;
  return isRunEndingError(error) ? error.code : error.message;
}

function finish(state: ChecklistState, status: RunStatus, message: string | null): ChecklistState {
  const rows = status === 'cancelled' ? state.rows.map((row) => (isActive(row) ? { ...row, state: 'interrupted' as const } : row)) : state.rows;
  return { ...state, rows, phase: 'finished', status, notice: status === 'completed' ? null : message };
}

/** Whether a row is being worked on. */
export function isActive(row: ChecklistRow): boolean {
  return row.state === 'in_progress' || row.state === 'retrying';
}

/** Whether the view shows something moving (a step, the planner or the synthesizer at work). */
export function isBusy(state: ChecklistState): boolean {
  return state.status === null && (state.phase === 'planning' || state.rows.some(isActive) || isSynthesizing(state));
}

/** Every step done or skipped and the run not ended: the synthesizer is at work. */
export function isSynthesizing(state: ChecklistState): boolean {
  return (
    state.status === null && state.phase === 'running' && state.rows.length > 0 && state.rows.every((row) => row.state === 'done' || row.state === 'skipped')
  );
}
