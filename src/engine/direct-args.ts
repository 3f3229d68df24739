import type { ToolArgs } from './plan-schema.ts';

/*
 * A direct step's arguments may hold references to earlier steps' outputs, typed JSON objects,
 * never templates in strings (no string is ever evaluated):
 * - `{ "$ref": "s1" }`: the output of step s1 — its parsed JSON when the output is a JSON object or
 *   array, otherwise the output text as it is;
 * - `{ "$ref": "s1", "path": "items.0.name" }`: the value at that path inside s1's JSON output
 *   (dot-separated keys; a number indexes an array).
 * A referenced step must be in the step's `dependsOn`, so it is done before the step starts.
 */

/** A reference to an earlier step's output inside a direct step's arguments. */
export interface StepRef {
  /** The id of the step whose output is meant. */
  readonly $ref: string;
  /** Where inside the step's JSON output; the whole output when absent. */
  readonly path?: string;
}

/** A location inside the arguments: keys and array indexes from the root. */
export type ArgPath = readonly (string | number)[];

/** One reference found in the arguments, with where it sits. */
export interface FoundRef {
  readonly ref: StepRef;
  readonly at: ArgPath;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `value` is an object that means to be a reference (it has a `$ref` key), well formed or not. */
function looksLikeRef(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.hasOwn(value, '$ref');
}

/** Whether `value` is a well-formed reference: a string `$ref`, an optional string `path`, nothing else. */
export function isStepRef(value: unknown): value is StepRef {
  if (!looksLikeRef(value) || typeof value.$ref !== 'string') return false;
  return Object.keys(value).every((key) => key === '$ref' || (key === 'path' && typeof value.path === 'string'));
}

/** `at` as text for messages: `a.items[0].name`, or `(the arguments)` for the root. */
export function formatArgPath(at: ArgPath): string {
  const text = at.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
  return text.replace(/^\./, '') || '(the arguments)';
}

/** Every reference in `args`, depth first, and every malformed one (an object with `$ref` that is not a StepRef). */
export function findRefs(args: unknown): { readonly refs: FoundRef[]; readonly malformed: ArgPath[] } {
  const refs: FoundRef[] = [];
  const malformed: ArgPath[] = [];
  const visit = (value: unknown, at: ArgPath): void => {
    if (isStepRef(value)) refs.push({ ref: value, at });
    else if (looksLikeRef(value)) malformed.push(at);
    else if (Array.isArray(value)) for (const [index, item] of value.entries()) visit(item, [...at, index]);
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) visit(item, [...at, key]);
  };
  visit(args, []);
  return { refs, malformed };
}

/** Thrown when a reference cannot be filled in: the step has no output, or none at the path. */
export class RefResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefResolutionError';
  }
}

/** The parsed JSON of an output that is a JSON object or array; undefined for anything else. */
function parseStructured(output: string): unknown {
  const text = output.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The value a reference stands for, given the referenced step's output. */
export function resolveRef(ref: StepRef, output: string): unknown {
  const parsed = parseStructured(output);
  if (ref.path === undefined || ref.path === '') return parsed ?? output;
  if (parsed === undefined) throw new RefResolutionError(`The output of "${ref.$ref}" is not a JSON object or array, so it has no "${ref.path}"`);
  let value: unknown = parsed;
  for (const key of ref.path.split('.')) {
    const index = Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : null;
    const next = index !== null ? (value as unknown[])[index] : isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    if (next === undefined) throw new RefResolutionError(`The output of "${ref.$ref}" has no value at "${ref.path}" (missing "${key}")`);
    value = next;
  }
  return value;
}

/**
 * `args` with every reference replaced by the value it stands for; `outputOf` gives a step's
 * output, or null when the step has none (not done, or skipped). Throws RefResolutionError.
 */
export function fillArgs(args: ToolArgs, outputOf: (stepId: string) => string | null): ToolArgs {
  const fill = (value: unknown): unknown => {
    if (isStepRef(value)) {
      const output = outputOf(value.$ref);
      if (output === null) throw new RefResolutionError(`Step "${value.$ref}" has no output to use (it is not done)`);
      return resolveRef(value, output);
    }
    if (Array.isArray(value)) return value.map(fill);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)]));
    return value;
  };
  return fill(args) as ToolArgs;
}

/** Whether a step is a direct step: it names the tool the engine calls itself. */
export function isDirectStep(step: { readonly tool?: string | null | undefined }): step is { readonly tool: string } {
  return typeof step.tool === 'string' && step.tool !== '';
}
