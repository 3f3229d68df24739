import type { RunStatus } from '../engine/result.ts';

/**
 * The CLI's exit codes, in one place. 64, 70 and 78 are the BSD sysexits codes for a usage error,
 * an internal error and a configuration error; 130 is the shell's code for "ended by SIGINT".
 */
export const EXIT = Object.freeze({
  /** The run completed; the release succeeded. */
  ok: 0,
  /** The run failed: no valid plan, or a failure that could not be replanned. */
  failed: 1,
  /** The replanner aborted the run, or the plan was rejected at approval. */
  stopped: 2,
  /** Unknown command or flag, bad or missing value (EX_USAGE). */
  usage: 64,
  /** The CLI itself threw: a bug (EX_SOFTWARE). */
  internal: 70,
  /** No model configured: neither OPENAI_API_KEY nor OPENAI_BASE_URL is set (EX_CONFIG). */
  config: 78,
  /** Interrupted with Ctrl-C: the run was cancelled and its partial results printed. */
  interrupted: 130,
});

/** The exit code of a finished run's status. */
export function exitCodeForStatus(status: RunStatus): number {
  switch (status) {
    case 'completed':
      return EXIT.ok;
    case 'failed':
      return EXIT.failed;
    case 'aborted':
    case 'rejected':
      return EXIT.stopped;
    case 'cancelled':
      return EXIT.interrupted;
  }
}
