import { ModelOutputError } from '../engine/errors.ts';
import { StepOutcomeSchema, type StepOutcome } from '../engine/plan-schema.ts';
import type { ReplyToRead } from './read-structured.ts';
import { normaliseAnswer, withoutReasoning } from './tolerant-reader.ts';

/** What the executor is told in `text` mode, after its step: the whole protocol of the mode. */
export const TEXT_OUTCOME_INSTRUCTION = 'Then answer with the result, or start with FAILED: and why.';

/**
 * `FAILED:` opening a paragraph, in capitals as asked, bold or not (`**FAILED:**`, `**FAILED**:`),
 * after a heading or quote mark: an output that merely starts with "Failed" ("Failed logins: 3")
 * stays an output.
 */
const FAILED_PREFIX = /^[*_`#>\s]*FAILED[*_`]*\s*:[*_`]*\s*/;

/** An answer that is one code fence and nothing else: its content. */
const WHOLE_FENCE = /^```[\w-]*\n([\s\S]*?)\n?```$/;

const OUTCOME_KEYS = new Set(['success', 'output', 'error']);

const EMPTY_ISSUE = 'The answer is empty; answer with the result, or start with FAILED: and why.';

/**
 * Reads a `text`-mode step answer (issue 11: no response schema sent with every turn). A leading
 * reasoning block is dropped. An answer whose first or last paragraph opens with `FAILED:` is a
 * failed step, the rest of that paragraph its error (models that explain first put it last). An
 * answer that is exactly one JSON object of the outcome's keys, `success` among them, is read as
 * that outcome (a model answering the way the other modes ask: its `success: false` must not pass
 * for an output). Anything else is the step's output, as written. An empty answer, or reasoning
 * alone, is a retryable ModelOutputError.
 */
export function readTextOutcome(reply: ReplyToRead): { value: StepOutcome; repairs: readonly string[] } {
  const answer = withoutReasoning(reply.text).trim();
  const repairs = answer === reply.text.trim() ? [] : ['think-block'];
  if (!answer) throw new ModelOutputError('executor', reply.text, [EMPTY_ISSUE], reply.usage);
  // A fenced answer is judged by its content; an output keeps its fence.
  const content = WHOLE_FENCE.exec(answer)?.[1]?.trim() ?? answer;
  const error = failureOf(content);
  if (error !== null) return { value: { success: false, output: '', error }, repairs };
  const outcome = outcomeObject(content);
  if (outcome) return { value: outcome.value, repairs: [...new Set([...repairs, ...outcome.repairs])] };
  return { value: { success: true, output: answer, error: null }, repairs };
}

/** The reason of a `FAILED:` in the first or the last paragraph of `answer`, or null when there is none. */
function failureOf(answer: string): string | null {
  const paragraphs = answer.split(/\n\s*\n/);
  for (const paragraph of new Set([paragraphs[0]!, paragraphs.at(-1)!])) {
    const marker = FAILED_PREFIX.exec(paragraph);
    if (marker) return paragraph.slice(marker[0].length).trim() || 'The executor reported that the step failed.';
  }
  return null;
}

/** The outcome an answer of exactly `{ success, output?, error? }` JSON holds, normalised; else null. */
function outcomeObject(content: string): { value: StepOutcome; repairs: readonly string[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const keys = Object.keys(parsed);
  if (!keys.includes('success') || keys.some((key) => !OUTCOME_KEYS.has(key))) return null;
  const normalised = normaliseAnswer('step-outcome', parsed);
  const outcome = StepOutcomeSchema.safeParse(normalised.value);
  return outcome.success ? { value: outcome.data, repairs: normalised.repairs } : null;
}
