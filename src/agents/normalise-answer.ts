/**
 * Normalises a parsed model answer for one of our schemas (ModelPlanSchema, ModelReplanDecisionSchema,
 * StepOutcomeSchema): the near misses weak models make, fixed here so they cost no repair round trip
 * (issue 8). Only the listed repairs are made and only on our schemas' fields; anything else,
 * including a missing required field, is left for schema validation to send back to the model.
 */

/** The answers the tolerant reader knows. */
export type AnswerKind = 'plan' | 'replan' | 'step-outcome';

/** A model's answer after the tolerant reader, still to be validated against its schema. */
export interface ReadAnswer {
  /** The JSON value, normalised for its kind. */
  readonly value: unknown;
  /** The distinct repairs made (names from REPAIR_NAMES, each at most once, in that order); empty for a clean answer. */
  readonly repairs: readonly string[];
}

/**
 * Every repair the tolerant reader makes, in the order it makes them. A repair is named once per
 * answer however often it applied (three numeric ids are one `numeric-id`).
 */
export const REPAIR_NAMES = [
  'think-block',
  'extracted-json',
  'json-repaired',
  'wrapper-object',
  'bare-array',
  'snake-case-key',
  'numeric-id',
  'depends-on-string',
  'missing-nullable',
  'tool-hint-none',
  'boolean-string',
  'output-not-string',
  'tool-args-object',
] as const;

/** One repair of REPAIR_NAMES. */
export type RepairName = (typeof REPAIR_NAMES)[number];

/** Options of the tolerant reader. */
export interface NormaliseOptions {
  /**
   * The goal a plan given as a bare array of steps gets: the reader cannot invent one, so the
   * caller may pass the task. An empty goal passes the schema; the steps are what runs.
   * @default ''
   */
  readonly goal?: string;
}

type JsonObject = Record<string, unknown>;
type Repairs = Set<RepairName>;

const PLAN_FIELDS = ['goal', 'steps', 'rationale'];
const STEP_FIELDS = ['id', 'description', 'expectedOutput', 'dependsOn', 'toolHint', 'tool', 'toolArgs'];
const OUTCOME_FIELDS = ['success', 'output', 'error'];
const REPLAN_FIELDS = ['action', 'steps', 'rationale'];
// Single keys models wrap an answer in; unwrapped only when the inner value looks like the answer.
const WRAPPER_KEYS = new Set(['plan', 'replan', 'decision', 'stepOutcome', 'step_outcome', 'outcome', 'result', 'answer', 'response']);
// What weak models write for "no tool" (compared trimmed and lower-cased).
const NO_TOOL = new Set(['', 'none', 'null', 'n/a']);
const BOOLEANS = new Map([
  ['true', true],
  ['false', false],
]);

/** The repaired value and the repairs made, in REPAIR_NAMES order. */
export function normaliseAnswer(kind: AnswerKind, value: unknown, options: NormaliseOptions = {}): ReadAnswer {
  const repairs: Repairs = new Set();
  const answer = unwrap(kind, value, repairs);
  return { value: normaliseKind(kind, answer, repairs, options), repairs: REPAIR_NAMES.filter((name) => repairs.has(name)) };
}

/** Whether `value`, or the content of one wrapper object around it, has the shape of a `kind` answer. */
export function looksLikeAnswer(kind: AnswerKind, value: unknown): boolean {
  return looksLike(kind, value) || looksLike(kind, wrapped(value));
}

function normaliseKind(kind: AnswerKind, value: unknown, repairs: Repairs, options: NormaliseOptions): unknown {
  switch (kind) {
    case 'plan':
      return normalisePlan(value, repairs, options);
    case 'replan':
      return normaliseReplan(value, repairs);
    case 'step-outcome':
      return normaliseOutcome(value, repairs);
  }
}

function looksLike(kind: AnswerKind, value: unknown): boolean {
  switch (kind) {
    case 'plan':
      return isStepArray(value) || (isObject(value) && hasAnyKey(value, ['goal', 'steps']));
    case 'replan':
      return isObject(value) && hasAnyKey(value, ['action']);
    case 'step-outcome':
      return isObject(value) && hasAnyKey(value, ['success', 'output']);
  }
}

/** The content of a single-key wrapper object, or undefined. */
function wrapped(value: unknown): unknown {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && WRAPPER_KEYS.has(keys[0]!) ? value[keys[0]!] : undefined;
}

function unwrap(kind: AnswerKind, value: unknown, repairs: Repairs): unknown {
  if (looksLike(kind, value)) return value;
  const inner = wrapped(value);
  if (!looksLike(kind, inner)) return value;
  repairs.add('wrapper-object');
  return inner;
}

function normalisePlan(value: unknown, repairs: Repairs, { goal = '' }: NormaliseOptions): unknown {
  if (isStepArray(value)) {
    repairs.add('bare-array');
    return normalisePlan({ goal, steps: value, rationale: null }, repairs, {});
  }
  if (!isObject(value)) return value;
  const plan = camelKeys(value, PLAN_FIELDS, repairs);
  if (Array.isArray(plan.steps)) plan.steps = plan.steps.map((step) => normaliseStep(step, repairs));
  fillNull(plan, 'rationale', repairs);
  return plan;
}

function normaliseReplan(value: unknown, repairs: Repairs): unknown {
  if (!isObject(value)) return value;
  const decision = camelKeys(value, REPLAN_FIELDS, repairs);
  if (Array.isArray(decision.steps)) decision.steps = decision.steps.map((step) => normaliseStep(step, repairs));
  // A "revise" without steps stays incomplete: null steps would pass the schema and fail later, less clearly.
  if (decision.action !== 'revise') fillNull(decision, 'steps', repairs);
  return decision;
}

function normaliseStep(value: unknown, repairs: Repairs): unknown {
  if (!isObject(value)) return value;
  const step = camelKeys(value, STEP_FIELDS, repairs);
  if (typeof step.id === 'number') {
    step.id = String(step.id);
    repairs.add('numeric-id');
  }
  if (step.dependsOn !== undefined) step.dependsOn = normaliseDependsOn(step.dependsOn, repairs);
  fillNull(step, 'toolHint', repairs);
  for (const key of ['toolHint', 'tool']) {
    const name = step[key];
    if (typeof name === 'string' && NO_TOOL.has(name.trim().toLowerCase())) {
      step[key] = null;
      repairs.add('tool-hint-none');
    }
  }
  normaliseDirectCall(step, repairs);
  return step;
}

/**
 * A step's direct call as the model-facing schema wants it: `tool` and `toolArgs` (JSON text) or
 * null. Left out, they are null without a repair: a plan written without direct steps (before
 * 0.3, or by a model that leaves the optional call out) is complete. Arguments written as an
 * object, not as the JSON text the schema asks for, become that text.
 */
function normaliseDirectCall(step: JsonObject, repairs: Repairs): void {
  step.tool ??= null;
  step.toolArgs ??= null;
  if (isObject(step.toolArgs) || Array.isArray(step.toolArgs)) {
    step.toolArgs = JSON.stringify(step.toolArgs);
    repairs.add('tool-args-object');
  }
}

/** Ids as an array of strings: numbers become strings, and one string becomes its comma-separated ids. */
function normaliseDependsOn(value: unknown, repairs: Repairs): unknown {
  if (typeof value === 'number') {
    repairs.add('numeric-id');
    return normaliseDependsOn(String(value), repairs);
  }
  if (typeof value === 'string') {
    repairs.add('depends-on-string');
    return value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
  }
  if (!Array.isArray(value)) return value;
  return value.map((id) => {
    if (typeof id !== 'number') return id;
    repairs.add('numeric-id');
    return String(id);
  });
}

function normaliseOutcome(value: unknown, repairs: Repairs): unknown {
  if (!isObject(value)) return value;
  const outcome = camelKeys(value, OUTCOME_FIELDS, repairs);
  const success = typeof outcome.success === 'string' ? BOOLEANS.get(outcome.success.trim().toLowerCase()) : undefined;
  if (success !== undefined) {
    outcome.success = success;
    repairs.add('boolean-string');
  }
  const output = outcome.output;
  if (typeof output === 'number' || typeof output === 'boolean' || (typeof output === 'object' && output !== null)) {
    outcome.output = typeof output === 'object' ? JSON.stringify(output) : String(output);
    repairs.add('output-not-string');
  }
  fillNull(outcome, 'error', repairs);
  return outcome;
}

/** A copy of `value` whose snake_case keys naming one of `fields` are camelCased (unless both spellings are present). */
function camelKeys(value: JsonObject, fields: readonly string[], repairs: Repairs): JsonObject {
  const copy: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    const camel = key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
    const rename = camel !== key && fields.includes(camel) && !(camel in value);
    if (rename) repairs.add('snake-case-key');
    copy[rename ? camel : key] = field;
  }
  return copy;
}

/** Sets an omitted nullable field to null. */
function fillNull(value: JsonObject, key: string, repairs: Repairs): void {
  if (value[key] !== undefined) return;
  value[key] = null;
  repairs.add('missing-nullable');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty array of objects: what a plan's steps given without the plan look like. */
function isStepArray(value: unknown): value is JsonObject[] {
  return Array.isArray(value) && value.length > 0 && value.every(isObject);
}

function hasAnyKey(value: JsonObject, keys: readonly string[]): boolean {
  return keys.some((key) => key in value);
}
