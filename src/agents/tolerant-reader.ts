import { jsonrepair } from 'jsonrepair';
import { looksLikeAnswer, normaliseAnswer, type AnswerKind, type NormaliseOptions, type ReadAnswer, type RepairName } from './normalise-answer.ts';

export { normaliseAnswer, REPAIR_NAMES } from './normalise-answer.ts';
export type { AnswerKind, NormaliseOptions, ReadAnswer, RepairName } from './normalise-answer.ts';

/**
 * The JSON value in a model's text, repaired and normalised for `kind`; null when no JSON can be
 * recovered. Before normalising (see normaliseAnswer) it:
 * - strips a leading reasoning block (`<think>…</think>`, `<thinking>…</thinking>`, a lone closing
 *   tag whose opening tag was in the prompt, or an unclosed opening tag): `think-block`;
 * - takes the JSON object or array out of surrounding prose: `extracted-json`. An answer that is
 *   only a Markdown code fence around the JSON is clean and records nothing;
 * - repairs malformed JSON with jsonrepair (trailing commas, single quotes, comments, unquoted keys,
 *   truncation): `json-repaired`.
 * When the text holds several JSON values, the first with the shape of a `kind` answer wins (the
 * last after an unclosed reasoning block, where the answer follows the reasoning); failing that,
 * the first that parses without repair. A repaired value without the answer's shape is not trusted
 * (jsonrepair makes JSON of any bracketed prose), so prose such as "see [the docs]" gives null.
 *
 * @example
 * readAnswer('step-outcome', '<think>Done.</think>{"success": "true", "output": 42}');
 * // { value: { success: true, output: '42', error: null },
 * //   repairs: ['think-block', 'missing-nullable', 'boolean-string', 'output-not-string'] }
 */
export function readAnswer(kind: AnswerKind, text: string, options: NormaliseOptions = {}): ReadAnswer | null {
  const reasoning = stripReasoning(text);
  const found = findJson(kind, reasoning.text, reasoning.answerLast);
  if (!found) return null;
  const normalised = normaliseAnswer(kind, found.value, options);
  const read: RepairName[] = [];
  if (reasoning.stripped) read.push('think-block');
  if (found.extracted) read.push('extracted-json');
  if (found.repaired) read.push('json-repaired');
  // These three come first in REPAIR_NAMES, so the list stays in its order.
  return { value: normalised.value, repairs: [...read, ...normalised.repairs] };
}

interface Reasoning {
  /** The text without the reasoning. */
  readonly text: string;
  /** Whether reasoning was stripped. */
  readonly stripped: boolean;
  /** Whether the reasoning block was never closed, so the answer (if any) is at the end. */
  readonly answerLast: boolean;
}

// Only reasoning at the start is stripped: the same tags inside the answer's strings are content.
const LEADING_BLOCK = /^\s*<(think|thinking)>[\s\S]*?<\/\1\s*>/i;
const LEADING_OPEN = /^\s*<(?:think|thinking)>/i;
const CLOSE_TAG = /<\/(?:think|thinking)\s*>/i;

/** `text` without the complete reasoning blocks (`<think>…</think>`, `<thinking>…</thinking>`) it starts with. */
export function withoutLeadingReasoning(text: string): string {
  let rest = text;
  for (let block = LEADING_BLOCK.exec(rest); block; block = LEADING_BLOCK.exec(rest)) rest = rest.slice(block[0].length);
  return rest;
}

/**
 * `text` without its leading reasoning, for answers read as plain text: the complete blocks it
 * starts with; else everything up to the first closing tag (a chat template that opened the block
 * in the prompt). An opening tag never closed is reasoning cut off: nothing is left. A closing tag
 * after a complete block is content (an answer may quote the tag).
 */
export function withoutReasoning(text: string): string {
  const rest = withoutLeadingReasoning(text);
  if (LEADING_OPEN.test(rest)) return '';
  const close = rest === text ? CLOSE_TAG.exec(rest) : null;
  return close ? rest.slice(close.index + close[0].length) : rest;
}

function stripReasoning(text: string): Reasoning {
  let rest = withoutLeadingReasoning(text);
  const open = LEADING_OPEN.exec(rest);
  if (open) return { text: rest.slice(open[0].length), stripped: true, answerLast: true };
  // Chat templates that open the block in the prompt leave the model only its closing tag.
  const close = startsWithJson(rest) ? null : CLOSE_TAG.exec(rest);
  if (close) rest = rest.slice(close.index + close[0].length);
  return { text: rest, stripped: rest !== text, answerLast: false };
}

function startsWithJson(text: string): boolean {
  return /^\s*(?:```[\w-]*\s*)?[[{]/.test(text);
}

interface FoundJson {
  readonly value: unknown;
  /** Whether text other than a code fence surrounded the value. */
  readonly extracted: boolean;
  /** Whether jsonrepair had to fix it. */
  readonly repaired: boolean;
}

function findJson(kind: AnswerKind, text: string, answerLast: boolean): FoundJson | null {
  let fallback: FoundJson | null = null;
  for (const { start, end } of jsonSpans(text, answerLast)) {
    const parsed = parseJson(text.slice(start, end));
    if (!parsed) continue;
    const found = { ...parsed, extracted: !isFenceOnly(text.slice(0, start), text.slice(end)) };
    if (looksLikeAnswer(kind, parsed.value)) return found;
    if (!parsed.repaired) fallback ??= found;
  }
  return fallback;
}

/** The JSON in `candidate`, as is or repaired by jsonrepair; null when neither parses. */
function parseJson(candidate: string): { value: unknown; repaired: boolean } | null {
  try {
    return { value: JSON.parse(candidate), repaired: false };
  } catch {
    try {
      return { value: JSON.parse(jsonrepair(candidate)), repaired: true };
    } catch {
      return null;
    }
  }
}

/** Whether the text around a JSON value is at most whitespace and a Markdown code fence. */
function isFenceOnly(before: string, after: string): boolean {
  return /^\s*(?:```[\w-]*\s*)?$/.test(before) && /^\s*(?:```\s*)?$/.test(after);
}

// Bounds the work on a long text full of brackets (each candidate is scanned and parsed).
const MAX_CANDIDATES = 20;

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Where each top-level `{…}` or `[…]` in `text` starts and ends, brackets inside double-quoted
 * strings ignored, in text order. A value never closed (a truncated answer) runs to the end of the
 * text, and the search goes on inside it in case the bracket was prose. With `answerLast` the
 * latest value comes first, an unclosed one (which holds everything after it) before its contents.
 */
function jsonSpans(text: string, answerLast: boolean): Span[] {
  const spans: Span[] = [];
  const opener = /[[{]/g;
  for (let match = opener.exec(text); match && spans.length < MAX_CANDIDATES; match = opener.exec(text)) {
    const start = match.index;
    const end = closingIndex(text, start);
    spans.push({ start, end: end ?? text.length });
    opener.lastIndex = end ?? start + 1;
  }
  return answerLast ? spans.sort((left, right) => right.end - left.end || left.start - right.start) : spans;
}

/** The index just after the bracket that closes the one at `start`, or null when none does. */
function closingIndex(text: string, start: number): number | null {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') depth += 1;
    else if ((character === '}' || character === ']') && --depth === 0) return index + 1;
  }
  return null;
}
