/** The one line `run` prints when the model server refused a request or could not be reached. */
import { isPlanExecuteError, type ModelCallRole, type ModelRequestRejectedError, type ModelUnavailableError } from '../../engine/errors.ts';
import type { RunErrorInfo } from '../../engine/result.ts';

/** Longest provider message kept: an SDK can hand back a whole HTML error page. */
const PROVIDER_MESSAGE_LIMIT = 300;

/** The variable that names each role's model, for the hint after a 404. */
const MODEL_VARIABLE: Readonly<Record<ModelCallRole, string>> = {
  planner: 'PLANNER_MODEL',
  replanner: 'PLANNER_MODEL',
  executor: 'EXECUTOR_MODEL',
  synthesizer: 'SYNTHESIZER_MODEL (or PLANNER_MODEL)',
};

const flat = (text: string, limit = Number.POSITIVE_INFINITY) => {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > limit ? `${oneLine.slice(0, limit - 1)}…` : oneLine;
};

/** What the user can check after a refusal with `status`; empty when there is nothing specific. */
function hintFor(status: number, role: ModelCallRole): string {
  if (status === 401 || status === 403) return ' (check OPENAI_API_KEY)';
  if (status === 404) return ` (check ${MODEL_VARIABLE[role]} and OPENAI_BASE_URL)`;
  return '';
}

function rejectedLine(error: ModelRequestRejectedError): string {
  const said = flat(error.providerMessage, PROVIDER_MESSAGE_LIMIT);
  return `error: the model server refused the ${error.role}'s request (${error.code}): HTTP ${error.status}${said ? ` ${said}` : ''}${hintFor(error.status, error.role)}`;
}

function unavailableLine(error: ModelUnavailableError): string {
  return `error: the model server${error.baseUrl ? ` at ${error.baseUrl}` : ''} cannot be reached (${error.code}): ${flat(error.reason)}`;
}

/**
 * The one line that reports a run ended by the model server: `error: the model server at <url>
 * cannot be reached (MODEL_UNAVAILABLE): <reason>` or `error: the model server refused the
 * planner's request (MODEL_REQUEST_REJECTED): HTTP 401 <what it said> (check OPENAI_API_KEY)`.
 * `error` is the error of `run-finished`; `info` (the result's plain error) is the fallback.
 * Null for any other ending.
 */
export function runEndingErrorLine(error: unknown, info: RunErrorInfo | null): string | null {
  if (isPlanExecuteError(error, 'MODEL_REQUEST_REJECTED')) return rejectedLine(error as ModelRequestRejectedError);
  if (isPlanExecuteError(error, 'MODEL_UNAVAILABLE')) return unavailableLine(error as ModelUnavailableError);
  if (info && (info.code === 'MODEL_REQUEST_REJECTED' || info.code === 'MODEL_UNAVAILABLE')) return `error: ${flat(info.message)} (${info.code})`;
  return null;
}
