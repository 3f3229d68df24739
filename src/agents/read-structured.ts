import { z } from 'zod';
import { ModelOutputError } from '../engine/errors.ts';
import { formatZodIssues } from '../engine/validate-plan.ts';
import type { StructuredOutputMode } from './output-mode.ts';
import { REPORT_TOOL_NAME } from './report-tool.ts';
import type { RawStructuredReply } from './structured-call.ts';
import { normaliseAnswer, readAnswer, type AnswerKind, type NormaliseOptions, type ReadAnswer } from './tolerant-reader.ts';

/** The part of a call's reply the reader reads. */
export type ReplyToRead = Pick<RawStructuredReply, 'text' | 'object' | 'usage' | 'mode'>;

/**
 * The reply's answer through the tolerant reader, then checked against `schema`. A value already
 * parsed (Mastra's object, a `report_step_outcome` call) is normalised; the text is read (reasoning
 * stripped, JSON taken out of prose and repaired, then normalised). The first candidate that passes
 * the schema wins, with the repairs it needed: in `tool` mode the report first, else the text. Only what the reader cannot recover becomes a
 * ModelOutputError, carrying the raw answer, the issues and the cost.
 */
export function readStructured<S extends z.ZodType>(
  role: string,
  kind: AnswerKind,
  reply: ReplyToRead,
  schema: S,
  options: NormaliseOptions = {},
): { value: z.infer<S>; repairs: readonly string[] } {
  const fromObject = reply.object === null || reply.object === undefined ? null : normaliseAnswer(kind, reply.object, options);
  const fromText = reply.text.trim() ? readAnswer(kind, reply.text, options) : null;
  // A report call is the tool mode's answer. Mastra's own parse (native) repairs silently, so its
  // text is read first: what was repaired is then recorded.
  const ordered = reply.mode === 'tool' ? [fromObject, fromText] : [fromText, fromObject];
  const candidates = ordered.filter((candidate): candidate is ReadAnswer => candidate !== null);
  let issues: string[] | null = null;
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate.value);
    if (parsed.success) return { value: parsed.data, repairs: candidate.repairs };
    issues ??= formatZodIssues(parsed.error);
  }
  throw new ModelOutputError(role, rawAnswer(reply), issues ?? [notJsonIssue(schema, reply.mode)], reply.usage);
}

/** Whether `value` (a report's arguments) passes `schema` once normalised: the `tool` mode's stop test. */
export function isReadable(kind: AnswerKind, schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(normaliseAnswer(kind, value).value).success;
}

/**
 * What a model is told when its answer held nothing to read, naming the fields it must give:
 * in `tool` mode the final-answer tool to call, otherwise the one JSON object to write.
 */
export function notJsonIssue(schema: z.ZodType, mode: StructuredOutputMode): string {
  const fields = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : 'of the schema';
  return mode === 'tool'
    ? `The answer holds no outcome; call ${REPORT_TOOL_NAME} with the fields ${fields}.`
    : `The answer is not JSON; answer with exactly one JSON object with the fields ${fields}.`;
}

/** The answer as the model gave it: its text, or the arguments of its final-answer call. */
function rawAnswer(reply: ReplyToRead): string {
  if (reply.text.trim() || reply.object === null || reply.object === undefined) return reply.text;
  return JSON.stringify(reply.object);
}
