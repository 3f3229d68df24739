import type { z } from 'zod';
import { checkDirectSteps, type ToolInputSchema } from './check-direct-steps.ts';
import { PlanSchema, type Plan, type PlanStep } from './plan-schema.ts';
import type { ToolInfo } from './ports.ts';

/** What a plan is checked against. */
export interface PlanValidationContext {
  /** Tool names a `toolHint` or a direct step's `tool` may name. */
  readonly toolNames: readonly string[];
  /**
   * Input schemas by tool name (JSON Schema): a direct step's literal arguments are checked against
   * them, references left out. A tool without one has its arguments checked only when it runs.
   */
  readonly toolInputSchemas?: Readonly<Record<string, ToolInputSchema | undefined>> | undefined;
  /** Longest plan accepted, `doneSteps` included. */
  readonly maxPlanSteps: number;
  /** Steps already done (kept by a replan): their ids are taken and may be depended on. */
  readonly doneSteps?: readonly PlanStep[];
}

/** The verdict on a plan: the parsed plan, or every problem found. */
export type PlanValidationResult = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly issues: readonly string[] };

/** Longest goal, rationale, step description or expected output a plan may have, in characters. */
export const MAX_PLAN_TEXT_CHARS = 4_000;

/** Longest step id, in characters. */
export const MAX_STEP_ID_CHARS = 100;

/** The validation context of a run's tool catalogue: the tool names and their input schemas. */
export function catalogueContext(tools: readonly ToolInfo[], maxPlanSteps: number, doneSteps?: readonly PlanStep[]): PlanValidationContext {
  return {
    toolNames: tools.map((tool) => tool.name),
    toolInputSchemas: Object.fromEntries(tools.map((tool) => [tool.name, tool.inputSchema])),
    maxPlanSteps,
    ...(doneSteps ? { doneSteps } : {}),
  };
}

/**
 * Checks a plan before anything runs: schema, at least one step, length, unique non-empty ids,
 * non-empty descriptions, known dependencies, no cycles, tools from the allow-list, and each
 * direct step's call (its tool exists, its references name steps in its dependsOn, its literal
 * arguments fit the tool's input schema). Every problem is reported, each phrased so a model can act on it.
 */
export function validatePlan(candidate: unknown, context: PlanValidationContext): PlanValidationResult {
  const parsed = PlanSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: formatZodIssues(parsed.error) };
  const plan = parsed.data;
  const issues = [...tooLong('The goal', plan.goal), ...tooLong('The rationale', plan.rationale ?? ''), ...validateSteps(plan.steps, context)];
  return issues.length === 0 ? { ok: true, plan } : { ok: false, issues };
}

/** The structural checks on steps that already match the schema (used for plans and revisions). */
export function validateSteps(steps: readonly PlanStep[], context: PlanValidationContext): string[] {
  const done = context.doneSteps ?? [];
  // A plan is stored, sent in events and shown to every executor: its text is bounded, and an id too
  // long to quote is reported alone.
  const longIds = steps.filter((step) => step.id.length > MAX_STEP_ID_CHARS);
  if (longIds.length) return longIds.map((step) => `A step id has ${step.id.length} characters; use short ids of at most ${MAX_STEP_ID_CHARS}.`);
  const issues = steps.flatMap((step) => [
    ...tooLong(`Step "${step.id}"'s description`, step.description),
    ...tooLong(`Step "${step.id}"'s expectedOutput`, step.expectedOutput),
  ]);
  if (steps.length === 0) issues.push('The plan has no steps; add at least one step.');
  if (done.length + steps.length > context.maxPlanSteps) {
    issues.push(
      `The plan has ${done.length + steps.length} steps${done.length ? ` (${done.length} already done)` : ''}; at most ${context.maxPlanSteps} are allowed. Merge or drop steps.`,
    );
  }
  issues.push(...checkIds(steps, done), ...checkDescriptions(steps), ...checkTools(steps, context.toolNames));
  issues.push(...checkDependencies(steps, done), ...checkDirectSteps(steps, context));
  const cycle = findCycle(steps);
  if (cycle) issues.push(`The steps depend on each other in a cycle: ${cycle.join(' → ')}. Remove one of these dependencies.`);
  return issues;
}

/** Whether a step's id, description or expected output is over its bound (validateSteps reports it; `streamPlan` starts no such step early). */
export const isOverlong = (step: PlanStep) =>
  step.id.length > MAX_STEP_ID_CHARS || step.description.length > MAX_PLAN_TEXT_CHARS || step.expectedOutput.length > MAX_PLAN_TEXT_CHARS;

/** The issue of a plan text (`what`, such as `The goal`) over MAX_PLAN_TEXT_CHARS, or none. */
export function tooLong(what: string, text: string): string[] {
  return text.length > MAX_PLAN_TEXT_CHARS ? [`${what} has ${text.length} characters; at most ${MAX_PLAN_TEXT_CHARS} are allowed. Shorten it.`] : [];
}

function checkIds(steps: readonly PlanStep[], done: readonly PlanStep[]): string[] {
  const issues: string[] = [];
  const doneIds = new Set(done.map((step) => step.id));
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    if (step.id.trim() === '') issues.push(`Step ${index + 1} has an empty id; give every step a short unique id.`);
    else if (doneIds.has(step.id)) issues.push(`Step id "${step.id}" is taken by a step already done; choose another id.`);
    else if (seen.has(step.id)) issues.push(`Step id "${step.id}" is used more than once; ids must be unique.`);
    seen.add(step.id);
  });
  return issues;
}

function checkDescriptions(steps: readonly PlanStep[]): string[] {
  return steps.filter((step) => step.description.trim() === '').map((step) => `Step "${step.id}" has an empty description; say what the step must do.`);
}

function checkTools(steps: readonly PlanStep[], toolNames: readonly string[]): string[] {
  const fix = toolNames.length ? `use one of ${toolNames.map((name) => `"${name}"`).join(', ')}, or null` : 'there are no tools, so use null';
  return steps
    .filter((step) => step.toolHint !== null && !toolNames.includes(step.toolHint))
    .map((step) => `Step "${step.id}" names tool "${step.toolHint}", which does not exist; ${fix}.`);
}

function checkDependencies(steps: readonly PlanStep[], done: readonly PlanStep[]): string[] {
  const known = new Set([...done, ...steps].map((step) => step.id));
  const issues: string[] = [];
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (dependency === step.id) issues.push(`Step "${step.id}" depends on itself; remove "${dependency}" from its dependsOn.`);
      else if (!known.has(dependency)) {
        issues.push(`Step "${step.id}" depends on "${dependency}", which is not a step of the plan; use an existing step id.`);
      }
    }
  }
  return issues;
}

/** The first dependency cycle among `steps`, as ids with the first repeated at the end; null if none. */
export function findCycle(steps: readonly PlanStep[]): string[] | null {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const state = new Map<string, 'visiting' | 'visited'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'visited') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      // Self-dependencies are reported on their own; unknown ids have no edges.
      if (dependency === id || !byId.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'visited');
    return null;
  };
  for (const step of steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return null;
}

/** zod issues as `path: message` lines. */
export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    return `${path.replace(/^\./, '') || '(root)'}: ${issue.message}`;
  });
}
