import type { PlanExecuteErrorCode } from '../engine/errors.ts';
import type { RunStatus } from '../engine/result.ts';

/**
 * The CLI's exit codes, in one place. 64, 69, 70, 75, 76 and 78 are the BSD sysexits codes for a
 * usage error, an unavailable service, an internal error, a temporary failure, a remote protocol
 * error and a configuration error; 130 is the shell's code for "ended by SIGINT".
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
  /**
   * A service the command needs cannot be used (EX_UNAVAILABLE): the model server cannot be reached
   * (connection refused, DNS or TLS failure), or the fleet's PostgreSQL is unreachable or refused the login.
   */
  unavailable: 69,
  /** The CLI itself threw: a bug (EX_SOFTWARE). */
  internal: 70,
  /**
   * The model server refused a request for good: an HTTP 4xx other than 408, 409 and 429, such as a
   * bad key, an unknown model or an unsupported parameter (EX_PROTOCOL: the remote end said no).
   */
  modelRejected: 76,
  /** `submit --wait`: `--timeout` passed before the run ended, which goes on (EX_TEMPFAIL: look again later). */
  waitTimedOut: 75,
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

/**
 * The exit code of a finished run: its own code when the model server refused a request or could
 * not be reached (nothing the plan did is to blame, so scripts can tell it apart from a failed
 * plan), otherwise the code of its status.
 */
export function exitCodeForRun(run: { readonly status: RunStatus; readonly error: { readonly code: PlanExecuteErrorCode } | null }): number {
  if (run.error?.code === 'MODEL_UNAVAILABLE') return EXIT.unavailable;
  if (run.error?.code === 'MODEL_REQUEST_REJECTED') return EXIT.modelRejected;
  return exitCodeForStatus(run.status);
}
