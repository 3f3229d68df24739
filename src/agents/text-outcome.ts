import { ModelOutputError } from '../engine/errors.ts';
import { StepOutcomeSchema, type StepOutcome } from '../engine/plan-schema.ts';
import type { ReplyToRead } from './read-structured.ts';
import { readAnswer, withoutReasoning } from './tolerant-reader.ts';

/** What the executor is told in `text` mode, after its step: the whole protocol of the mode. */
export const TEXT_OUTCOME_INSTRUCTION = 'Then answer with the result, or FAILED: and why if it cannot be done.';

/**
 * `FAILED:` opening the answer, in capitals as asked, bold or not (`**FAILED:**`, `**FAILED**:`):
 * an output that merely starts with "Failed" ("Failed logins: 3") stays an output.
 */
const FAILED_PREFIX = /^[*_`\s]*FAILED[*_`]*\s*:[*_`]*\s*/;

/** A whole answer that is one JSON object (possibly in a code fence): an outcome written the other modes' way. */
const JSON_OBJECT_ANSWER = /^(?:```(?:json)?\s*)?\{[\s\S]*\}(?:\s*```)?$/i;

const EMPTY_ISSUE = 'The answer is empty; answer with the result, or with FAILED: and why.';

/**
 * Reads a `text`-mode step answer (issue 11: no response schema sent with every turn). A leading
 * reasoning block is dropped; an answer opening with `FAILED:` is a failed step whose error is the
 * rest; an answer that is exactly one step-outcome JSON object is read as one (a model answering
 * the way the other modes ask, so its `success: false` is not taken for an output); anything else
 * is the step's output, as written. An empty answer is a retryable ModelOutputError.
 */
export function readTextOutcome(reply: ReplyToRead): { value: StepOutcome; repairs: readonly string[] } {
  const answer = withoutReasoning(reply.text).trim();
  const repairs = answer === reply.text.trim() ? [] : ['think-block'];
  if (!answer) throw new ModelOutputError('executor', reply.text, [EMPTY_ISSUE], reply.usage);
  const failed = FAILED_PREFIX.exec(answer);
  if (failed)
    return { value: { success: false, output: '', error: answer.slice(failed[0].length).trim() || 'The executor reported that the step failed.' }, repairs };
  const json = JSON_OBJECT_ANSWER.test(answer) ? readAnswer('step-outcome', answer) : null;
  const outcome = json ? StepOutcomeSchema.safeParse(json.value) : null;
  if (json && outcome?.success) return { value: outcome.data, repairs: [...new Set([...repairs, ...json.repairs])] };
  return { value: { success: true, output: answer, error: null }, repairs };
}
