import { z } from 'zod';

/** One step of a plan, as a model writes it: every field required, as strict structured output wants. */
export const ModelPlanStepSchema = z.object({
  id: z.string().describe('Short unique identifier of the step, such as "s1" or "build". Other steps refer to it in dependsOn.'),
  description: z.string().describe('What the executor must do in this step, in one or two imperative sentences.'),
  expectedOutput: z.string().describe('What the step must produce when it succeeds, concrete enough to check.'),
  dependsOn: z
    .array(z.string())
    .describe('Ids of the steps whose outputs this step needs. Empty when the step is independent; independent steps run in parallel.'),
  toolHint: z.string().nullable().describe('Name of the tool the executor will most likely need, from the tool list; null when no tool is needed.'),
  tool: z.string().nullable().describe('Direct step: the tool the engine calls itself, with toolArgs, without the executor; null otherwise.'),
  toolArgs: z
    .string()
    .nullable()
    .describe(
      'Direct step: the arguments as JSON object text. {"$ref":"s1"} stands for the output of s1 (in dependsOn); {"$ref":"s1","path":"items.0.name"} for a value in its JSON output. null otherwise.',
    ),
});

/**
 * Domain data a step carries for the code around the engine (an example's step kind, a target
 * service). The engine keeps it untouched through the tracker, revisions, checkpoints, events and
 * results, and never shows it to a model; a role's prompt may. Plain JSON.
 */
export const StepMetaSchema = z.record(z.string(), z.unknown());

/**
 * A direct step's arguments as the engine keeps them: a JSON object whose values may hold step
 * references, `{ "$ref": "<step id>" }` or `{ "$ref": "<step id>", "path": "a.0.b" }` (see direct-args.ts).
 */
export const ToolArgsSchema = z.record(z.string(), z.unknown());

/**
 * One step of a plan as the engine tracks it: the model's fields, `tool` and parsed `toolArgs` for
 * a direct step (optional: a plan without them is an executor plan, as before 0.3), and optional `meta`.
 */
export const PlanStepSchema = ModelPlanStepSchema.extend({
  tool: z.string().nullable().optional().describe('Direct step: the tool the engine calls itself with toolArgs, without an executor model call.'),
  toolArgs: ToolArgsSchema.nullable().optional().describe('Direct step: the tool arguments, step references included.'),
  meta: StepMetaSchema.optional().describe('Domain data for the code around the engine; never written by the default planner.'),
});

const planFields = {
  goal: z.string().describe('The task restated as one concrete goal.'),
  rationale: z.string().nullable().describe('One or two sentences on why this decomposition, or null.'),
};
const STEPS_DESCRIPTION = 'The steps in execution order; a step may only depend on steps listed before it or elsewhere in the plan.';

/** A whole plan as a model writes it: the goal restated, the ordered steps and why they were chosen. */
export const ModelPlanSchema = z.object({
  goal: planFields.goal,
  steps: z.array(ModelPlanStepSchema).describe(STEPS_DESCRIPTION),
  rationale: planFields.rationale,
});

/** A whole plan as the engine runs it (steps may carry `meta`). */
export const PlanSchema = z.object({ goal: planFields.goal, steps: z.array(PlanStepSchema).describe(STEPS_DESCRIPTION), rationale: planFields.rationale });

/** The executor's final answer for one step. */
export const StepOutcomeSchema = z.object({
  // Short on purpose: the schema goes with every executor turn (issue 11), and says what to report.
  success: z.boolean().describe('false if the step cannot be done'),
  output: z.string().describe('the result later steps need'),
  error: z.string().nullable().describe('why it failed, to plan around; null on success'),
});

const decisionFields = {
  action: z
    .enum(['revise', 'skip', 'abort'])
    .describe('"revise": replace every step not yet done with new steps; "skip": drop the failed step and go on; "abort": stop the run.'),
  rationale: z.string().describe('Why this action, in one or two sentences.'),
};
const REVISED_STEPS = 'For "revise": the new steps that replace every step not yet done (they may depend on done steps). null otherwise.';

/** The replanner's answer after a step failed permanently, as a model writes it. */
export const ModelReplanDecisionSchema = z.object({
  action: decisionFields.action,
  steps: z.array(ModelPlanStepSchema).nullable().describe(REVISED_STEPS),
  rationale: decisionFields.rationale,
});

/** The replanner's answer as the engine applies it (revised steps may carry `meta`). */
export const ReplanDecisionSchema = z.object({
  action: decisionFields.action,
  steps: z.array(PlanStepSchema).nullable().describe(REVISED_STEPS),
  rationale: decisionFields.rationale,
});

export type StepMeta = z.infer<typeof StepMetaSchema>;
export type ToolArgs = z.infer<typeof ToolArgsSchema>;
export type ModelPlanStep = z.infer<typeof ModelPlanStepSchema>;
export type ModelPlan = z.infer<typeof ModelPlanSchema>;
export type ModelReplanDecision = z.infer<typeof ModelReplanDecisionSchema>;
export type PlanStep = z.infer<typeof PlanStepSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type StepOutcome = z.infer<typeof StepOutcomeSchema>;
export type ReplanDecision = z.infer<typeof ReplanDecisionSchema>;
