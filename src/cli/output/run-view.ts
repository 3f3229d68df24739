import type { PlanRunEvent, PlanRunListener } from '../../engine/events.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { writeLine, type CliIo } from '../io.ts';
import { colorsFor, type Colors } from './colors.ts';
import { LiveChecklist } from './live-checklist.ts';
import { formatEvent, formatModelCall, formatResult, formatUsage } from './plain-lines.ts';
import { runEndingErrorLine } from './run-error-line.ts';

/** How a command reports: only the JSON result, a live checklist on a terminal, or one line per event. */
export type OutputMode = 'json' | 'live' | 'plain';

/** `json` when asked for; otherwise `live` on a terminal and `plain` when stdout is piped. */
export function outputMode(json: boolean, io: Pick<CliIo, 'stdout'>): OutputMode {
  if (json) return 'json';
  return io.stdout.isTTY ? 'live' : 'plain';
}

/** What a command shows of one run while it goes. */
export interface RunView {
  /** Receives the run's events. */
  readonly onEvent: PlanRunListener;
  /** Gives the terminal to the approval prompt. */
  pause(): void;
  /** Takes it back. */
  resume(): void;
  /** Stops drawing (spinner included); the last frame stays. Idempotent. */
  close(): void;
}

/** Options of {@link createRunView}. */
export interface RunViewOptions {
  /** Also print one line per model call (`model-called`). @default false */
  readonly verbose?: boolean;
}

const NO_OP = () => {};

/**
 * The view of one run in `mode`, writing to `io.stdout`. With `verbose`, each model call gets a
 * line: in the progress when piped, above the checklist on a terminal, on stderr with --json (so
 * stdout stays one JSON document).
 */
export function createRunView(mode: OutputMode, io: Pick<CliIo, 'stdout' | 'stderr' | 'env'>, { verbose = false }: RunViewOptions = {}): RunView {
  const modelCallLine = (event: PlanRunEvent) => (verbose && event.type === 'model-called' ? formatModelCall(event) : null);
  switch (mode) {
    case 'json':
      return {
        onEvent: (event) => {
          const line = modelCallLine(event);
          if (line !== null) writeLine(io.stderr, line);
        },
        pause: NO_OP,
        resume: NO_OP,
        close: NO_OP,
      };
    case 'plain':
      return {
        onEvent: (event) => {
          const line = modelCallLine(event) ?? formatEvent(event);
          if (line !== null) writeLine(io.stdout, line);
        },
        pause: NO_OP,
        resume: NO_OP,
        close: NO_OP,
      };
    case 'live': {
      const checklist = new LiveChecklist(io.stdout, colorsFor(io.stdout, io.env));
      const onEvent = (event: PlanRunEvent) => {
        const line = modelCallLine(event);
        if (line !== null) checklist.print(line);
        checklist.onEvent(event);
      };
      return { onEvent, pause: () => checklist.pause(), resume: () => checklist.resume(), close: () => checklist.close() };
    }
  }
}

/** Under the live checklist (which already shows the plan and the status): the answer and the usage. */
export function formatLiveSummary(result: PlanRunResult, colors: Colors): string {
  const lines = [];
  if (result.finalOutput) lines.push(`${colors.bold('answer:')} ${result.finalOutput}`);
  lines.push(colors.dim(formatUsage(result)));
  return lines.join('\n');
}

/**
 * Prints the outcome of a finished run in `mode`: the JSON result, or a summary after the
 * progress. A run the model server ended (it refused a request, or could not be reached) gets one
 * `error:` line on stderr instead of the summary (after the JSON with --json): the plan, the answer
 * and the tokens of such a run say nothing the user can act on. `endingError` is the error of
 * `run-finished`.
 */
export function printRunResult(mode: OutputMode, result: PlanRunResult, io: Pick<CliIo, 'stdout' | 'stderr' | 'env'>, endingError: unknown = null): void {
  const errorLine = runEndingErrorLine(endingError, result.error);
  if (mode === 'json') writeLine(io.stdout, JSON.stringify(result, null, 2));
  else if (errorLine === null && mode === 'plain') writeLine(io.stdout, `\n${formatResult(result)}`);
  else if (errorLine === null) writeLine(io.stdout, `\n${formatLiveSummary(result, colorsFor(io.stdout, io.env))}`);
  if (errorLine !== null) writeLine(io.stderr, errorLine);
}
