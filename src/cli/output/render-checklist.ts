import type { Colors } from './colors.ts';
import type { RunStatus } from '../../engine/result.ts';
import { isSynthesizing, type ChecklistRow, type ChecklistState, type RowState } from './checklist.ts';
import { WARNING_MARK } from './plain-lines.ts';

/** Frames of the mark of a running step, one per redraw tick. */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** The mark of each row state (a running step shows a spinner frame instead). */
export const ROW_MARKS: Readonly<Record<Exclude<RowState, 'in_progress'>, string>> = {
  pending: '○',
  retrying: '↻',
  done: '✔',
  failed: '✖',
  skipped: '↷',
  replaced: '⊘',
  interrupted: '■',
};

/** How to draw: colors (possibly disabled), the spinner frame, the terminal width. */
export interface RenderOptions {
  readonly colors: Colors;
  readonly frame: number;
  readonly width: number;
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `text` cut to `limit` characters, with an ellipsis when cut. */
function fit(text: string, limit: number): string {
  if (limit <= 0) return '';
  return text.length > limit ? `${text.slice(0, Math.max(0, limit - 1))}…` : text;
}

function mark(state: RowState, { colors, frame }: RenderOptions): string {
  switch (state) {
    case 'in_progress':
      return colors.cyan(SPINNER_FRAMES[frame % SPINNER_FRAMES.length]);
    case 'retrying':
    case 'skipped':
    case 'interrupted':
      return colors.yellow(ROW_MARKS[state]);
    case 'done':
      return colors.green(ROW_MARKS.done);
    case 'failed':
      return colors.red(ROW_MARKS.failed);
    case 'pending':
    case 'replaced':
      return colors.dim(ROW_MARKS[state]);
  }
}

function noteOf(row: ChecklistRow): string | null {
  if (row.state === 'retrying') return `retrying (attempt ${row.attempt + 1}): ${flat(row.note ?? '')}`;
  if (row.state === 'replaced') return 'replaced';
  if (row.state === 'interrupted') return 'interrupted';
  if (row.state === 'in_progress' && row.attempt > 1) return `attempt ${row.attempt}`;
  return row.note ? flat(row.note) : null;
}

function renderRow(row: ChecklistRow, indent: string, idWidth: number, options: RenderOptions): string {
  const { colors, width } = options;
  const prefix = `${indent}  ${row.id.padEnd(idWidth)}  `;
  // A warning is news the output is not: it takes the note's place, in yellow.
  const note = row.warning ? `${WARNING_MARK} ${flat(row.warning)}` : noteOf(row);
  const text = fit(note ? `${flat(row.description)} — ${note}` : flat(row.description), width - prefix.length - 1);
  const description = text.slice(0, flat(row.description).length);
  const rest = text.slice(description.length);
  const body = row.state === 'replaced' ? colors.dim(colors.strikethrough(description)) : description;
  const paintRest = row.warning ? colors.yellow : colors.dim;
  return `${indent}${mark(row.state, options)} ${colors.bold(row.id.padEnd(idWidth))}  ${body}${paintRest(rest)}`;
}

const ENDINGS: Readonly<Record<RunStatus, { readonly mark: string; readonly color: keyof Colors }>> = {
  completed: { mark: '✔', color: 'green' },
  failed: { mark: '✖', color: 'red' },
  aborted: { mark: '■', color: 'yellow' },
  rejected: { mark: '■', color: 'yellow' },
  cancelled: { mark: '■', color: 'yellow' },
};

function footer(state: ChecklistState, options: RenderOptions): string {
  const { colors, frame, width } = options;
  if (state.status) {
    const ending = ENDINGS[state.status];
    const paint = colors[ending.color] as (text: string) => string;
    return paint(fit(`${ending.mark} ${state.status}${state.notice ? `: ${flat(state.notice)}` : ''}`, width - 1));
  }
  const spinner = colors.cyan(SPINNER_FRAMES[frame % SPINNER_FRAMES.length]);
  if (state.phase === 'planning') return `${spinner} planning…`;
  if (isSynthesizing(state)) return `${spinner} merging the results…`;
  const done = state.rows.filter((row) => row.state === 'done').length;
  return `${spinner} ${done} of ${state.rows.length} steps done`;
}

/** The checklist as terminal text: task, goal, steps, replaced steps, then how the run stands. */
export function renderChecklist(state: ChecklistState, options: RenderOptions): string {
  const { colors, width } = options;
  const allRows = [...state.rows, ...state.replaced.flatMap((group) => group.rows)];
  const idWidth = Math.min(24, Math.max(0, ...allRows.map((row) => row.id.length)));
  const lines = [colors.bold(fit(flat(state.task), width - 1))];
  if (state.goal) lines.push(colors.dim(fit(`goal: ${flat(state.goal)}`, width - 1)));
  lines.push(...state.rows.map((row) => renderRow(row, '  ', idWidth, options)));
  for (const group of state.replaced) {
    lines.push(colors.dim(fit(`  replaced by revision ${group.revision}: ${flat(group.reason)}`, width - 1)));
    lines.push(...group.rows.map((row) => renderRow(row, '    ', idWidth, options)));
  }
  if (state.notice && !state.status) lines.push(colors.yellow(fit(`  ${flat(state.notice)}`, width - 1)));
  lines.push(footer(state, options));
  return lines.join('\n');
}
