import { z } from 'zod';
import { findRefs, formatArgPath, isDirectStep, type ArgPath } from './direct-args.ts';
import type { PlanStep, ToolArgs } from './plan-schema.ts';

/** A tool's input schema as JSON Schema (what the catalogue gives the planner and the validator). */
export type ToolInputSchema = Readonly<Record<string, unknown>>;

// One validator per schema object: the catalogue's schemas live as long as the run's roles.
const validators = new WeakMap<ToolInputSchema, z.ZodType | null>();

/** A zod validator for `schema`, or null when zod cannot read it (then arguments are not checked against it). */
function validatorFor(schema: ToolInputSchema): z.ZodType | null {
  if (!validators.has(schema)) {
    let validator: z.ZodType | null = null;
    try {
      validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch {
      // A schema feature zod cannot rebuild: the tool still validates the filled arguments when it runs.
    }
    validators.set(schema, validator);
  }
  return validators.get(schema) ?? null;
}

const startsWith = (path: ArgPath, prefix: ArgPath) => prefix.every((part, index) => path[index] === part);

/** `args` with every reference removed (undefined where it stood), so only the literal values are checked. */
function withoutRefs(args: ToolArgs, refAt: readonly ArgPath[]): unknown {
  const strip = (value: unknown, at: ArgPath): unknown => {
    if (refAt.some((ref) => ref.length === at.length && startsWith(at, ref))) return undefined;
    if (Array.isArray(value)) return value.map((item, index) => strip(item, [...at, index]));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, strip(item, [...at, key])]));
    return value;
  };
  return strip(args, []);
}

/**
 * The literal arguments checked against the tool's input schema, references treated as unknown:
 * a problem at (or inside) a reference's place is left out, since only the filled-in value can
 * be judged (the tool checks it when it runs). Required keys, types and enums of literals, and
 * unknown keys where the schema forbids them, are reported.
 */
export function literalArgIssues(args: ToolArgs, schema: ToolInputSchema | undefined): { readonly at: ArgPath; readonly message: string }[] {
  const validator = schema ? validatorFor(schema) : null;
  if (!validator) return [];
  // A malformed reference is reported on its own, once; its place is not judged against the schema either.
  const { refs, malformed } = findRefs(args);
  const refAt = [...refs.map((found) => found.at), ...malformed];
  const parsed = validator.safeParse(withoutRefs(args, refAt));
  if (parsed.success) return [];
  return parsed.error.issues
    .map((issue) => ({ at: issue.path.filter((part) => typeof part !== 'symbol'), message: issue.message }))
    .filter((issue) => !refAt.some((ref) => startsWith(issue.at, ref)));
}

/** What the direct-step checks need: the tools that exist and their input schemas. */
export interface DirectStepContext {
  /** Tool names a step may call. */
  readonly toolNames: readonly string[];
  /** Input schemas by tool name (JSON Schema); a tool without one has its literal arguments unchecked. */
  readonly toolInputSchemas?: Readonly<Record<string, ToolInputSchema | undefined>> | undefined;
}

/**
 * The problems of the direct steps among `steps`, each phrased so a model can fix it: toolArgs
 * without a tool, a tool that does not exist, a malformed reference, a reference to a step not in
 * `dependsOn`, literal arguments the tool's input schema rejects.
 */
export function checkDirectSteps(steps: readonly PlanStep[], context: DirectStepContext): string[] {
  return steps.flatMap((step) => directStepIssues(step, context));
}

function directStepIssues(step: PlanStep, { toolNames, toolInputSchemas }: DirectStepContext): string[] {
  const args = step.toolArgs ?? null;
  if (!isDirectStep(step)) return args === null ? [] : [`Step "${step.id}" has toolArgs but no tool; name the tool to call in tool, or set toolArgs to null.`];
  if (!toolNames.includes(step.tool)) {
    const fix = toolNames.length ? `use one of ${toolNames.map((name) => `"${name}"`).join(', ')}` : 'there are no tools, so leave tool null';
    return [`Step "${step.id}" calls tool "${step.tool}", which does not exist; ${fix}.`];
  }
  const given = args ?? {};
  const { refs, malformed } = findRefs(given);
  const issues = malformed.map(
    (at) => `Step "${step.id}" toolArgs at ${formatArgPath(at)}: a reference is {"$ref": "<step id>"} or {"$ref": "<step id>", "path": "a.0.b"}, nothing else.`,
  );
  for (const { ref, at } of refs) {
    if (!step.dependsOn.includes(ref.$ref)) {
      issues.push(`Step "${step.id}" toolArgs at ${formatArgPath(at)} refer to "${ref.$ref}", which is not in its dependsOn; add "${ref.$ref}" to dependsOn.`);
    }
  }
  for (const { at, message } of literalArgIssues(given, toolInputSchemas?.[step.tool])) {
    issues.push(`Step "${step.id}" toolArgs at ${formatArgPath(at)} do not fit tool "${step.tool}": ${message}.`);
  }
  return issues;
}
