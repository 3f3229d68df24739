import type { PlanRunListener } from '../../engine/events.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { writeLine, type CliIo } from '../io.ts';
import { colorsFor, type Colors } from './colors.ts';
import { LiveChecklist } from './live-checklist.ts';
import { formatEvent, formatResult, formatUsage } from './plain-lines.ts';

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

/** The view of one run in `mode`, writing to `io.stdout`. */
export function createRunView(mode: OutputMode, io: Pick<CliIo, 'stdout' | 'env'>): RunView {
  switch (mode) {
    case 'json':
      return { onEvent: () => {}, pause: () => {}, resume: () => {}, close: () => {} };
    case 'plain':
      return {
        onEvent: (event) => {
          const line = formatEvent(event);
          if (line !== null) writeLine(io.stdout, line);
        },
        pause: () => {},
        resume: () => {},
        close: () => {},
      };
    case 'live': {
      const checklist = new LiveChecklist(io.stdout, colorsFor(io.stdout, io.env));
      return { onEvent: checklist.onEvent, pause: () => checklist.pause(), resume: () => checklist.resume(), close: () => checklist.close() };
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

/** Prints the outcome of a finished run in `mode`: the JSON result, or a summary after the progress. */
export function printRunResult(mode: OutputMode, result: PlanRunResult, io: Pick<CliIo, 'stdout' | 'env'>): void {
  switch (mode) {
    case 'json':
      return writeLine(io.stdout, JSON.stringify(result, null, 2));
    case 'plain':
      return writeLine(io.stdout, `\n${formatResult(result)}`);
    case 'live':
      return writeLine(io.stdout, `\n${formatLiveSummary(result, colorsFor(io.stdout, io.env))}`);
  }
}
