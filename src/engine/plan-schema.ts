import { z } from 'zod';

/** One step of a plan, as the planner model writes it. */
export const PlanStepSchema = z.object({
  id: z
    .string()
    .describe('Short unique identifier of the step, such as "s1" or "build". Other steps refer to it in dependsOn.'),
  description: z
    .string()
    .describe('What the executor must do in this step, in one or two imperative sentences.'),
  expectedOutput: z
    .string()
    .describe('What the step must produce when it succeeds, concrete enough to check.'),
  dependsOn: z
    .array(z.string())
    .describe('Ids of the steps whose outputs this step needs. Empty when the step is independent; independent steps run in parallel.'),
  toolHint: z
    .string()
    .nullable()
    .describe('Name of the tool the executor will most likely need, from the tool list; null when no tool is needed.'),
});

/** A whole plan: the goal restated, the ordered steps and why they were chosen. */
export const PlanSchema = z.object({
  goal: z.string().describe('The task restated as one concrete goal.'),
  steps: z.array(PlanStepSchema).describe('The steps in execution order; a step may only depend on steps listed before it or elsewhere in the plan.'),
  rationale: z.string().nullable().describe('One or two sentences on why this decomposition, or null.'),
});

/** The executor's final answer for one step. */
export const StepOutcomeSchema = z.object({
  success: z.boolean().describe('true when the step produced its expected output; false when it could not be done.'),
  output: z.string().describe('The result of the step: the data, text or summary the later steps need. Empty when the step failed.'),
  error: z.string().nullable().describe('Why the step failed, precise enough to plan around it; null on success.'),
});

/** The replanner's answer after a step failed permanently. */
export const ReplanDecisionSchema = z.object({
  action: z
    .enum(['revise', 'skip', 'abort'])
    .describe('"revise": replace every step not yet done with new steps; "skip": drop the failed step and go on; "abort": stop the run.'),
  steps: z
    .array(PlanStepSchema)
    .nullable()
    .describe('For "revise": the new steps that replace every step not yet done (they may depend on done steps). null otherwise.'),
  rationale: z.string().describe('Why this action, in one or two sentences.'),
});

export type PlanStep = z.infer<typeof PlanStepSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type StepOutcome = z.infer<typeof StepOutcomeSchema>;
export type ReplanDecision = z.infer<typeof ReplanDecisionSchema>;
