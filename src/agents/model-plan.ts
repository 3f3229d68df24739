import { jsonrepair } from 'jsonrepair';
import { ModelOutputError } from '../engine/errors.ts';
import type { ModelPlan, ModelPlanStep, ModelReplanDecision, Plan, PlanStep, ReplanDecision, ToolArgs } from '../engine/plan-schema.ts';
import type { StructuredReply } from './structured-call.ts';
import { REPAIR_NAMES } from './tolerant-reader.ts';

/*
 * The model-facing schemas carry a direct step's arguments as JSON text (`toolArgs: string | null`):
 * OpenAI's strict structured output needs every object closed (`additionalProperties: false`,
 * every property required), so an object whose keys depend on the tool cannot be described; a
 * string can. Here, in the agent layer, the text becomes the object the engine validates and runs.
 */

const isPlainObject = (value: unknown): value is ToolArgs => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The arguments object in `text`: parsed, or repaired (`json-repaired`); an issue when it is not a JSON object. */
function parseToolArgs(text: string, where: string, repairs: Set<string>): { args: ToolArgs } | { issue: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) return { args: parsed };
  } catch {
    try {
      const repaired: unknown = JSON.parse(jsonrepair(text));
      if (isPlainObject(repaired)) {
        repairs.add('json-repaired');
        return { args: repaired };
      }
    } catch {
      // Falls through to the issue below.
    }
  }
  return { issue: `${where}.toolArgs: must be the text of one JSON object, such as {"a": 1, "b": {"$ref": "s1"}}; got ${JSON.stringify(text.slice(0, 200))}` };
}

/** One step for the engine: `tool`/`toolArgs` kept only when the step has a call (so an executor step reads as before 0.3). */
function toEngineStep(step: ModelPlanStep, where: string, issues: string[], repairs: Set<string>): PlanStep {
  const { tool, toolArgs, ...rest } = step;
  if (tool === null && toolArgs === null) return rest;
  if (toolArgs === null) return { ...rest, tool, toolArgs: null };
  const parsed = parseToolArgs(toolArgs, where, repairs);
  if ('issue' in parsed) {
    issues.push(parsed.issue);
    return { ...rest, tool, toolArgs: null };
  }
  return { ...rest, tool, toolArgs: parsed.args };
}

function convertSteps(steps: readonly ModelPlanStep[], issues: string[], repairs: Set<string>): PlanStep[] {
  return steps.map((step, index) => toEngineStep(step, `steps[${index}]`, issues, repairs));
}

/** Throws a ModelOutputError carrying the answer when `issues` is not empty (the repair loop sends them back). */
function ensureReadable(role: 'planner' | 'replanner', reply: StructuredReply<unknown>, issues: readonly string[]): void {
  if (issues.length > 0) throw new ModelOutputError(role, JSON.stringify(reply.value), issues, reply.usage);
}

/** A planner's reply as the engine's plan: arguments parsed. @throws ModelOutputError when a step's toolArgs is not a JSON object. */
export function toEnginePlan(reply: StructuredReply<ModelPlan>): StructuredReply<Plan> {
  const issues: string[] = [];
  const repairs = new Set(reply.repairs);
  const plan = { ...reply.value, steps: convertSteps(reply.value.steps, issues, repairs) };
  ensureReadable('planner', reply, issues);
  return { ...reply, value: plan, repairs: inOrder(repairs) };
}

/** A replanner's reply as the engine's decision: revised steps' arguments parsed. @throws ModelOutputError as `toEnginePlan`. */
export function toEngineDecision(reply: StructuredReply<ModelReplanDecision>): StructuredReply<ReplanDecision> {
  const issues: string[] = [];
  const repairs = new Set(reply.repairs);
  const steps = reply.value.steps && convertSteps(reply.value.steps, issues, repairs);
  ensureReadable('replanner', reply, issues);
  return { ...reply, value: { ...reply.value, steps }, repairs: inOrder(repairs) };
}

/** Repairs in REPAIR_NAMES order, as the tolerant reader lists them. */
const inOrder = (repairs: ReadonlySet<string>): string[] => REPAIR_NAMES.filter((name) => repairs.has(name));
