import type { Plan, ReplanDecision, StepOutcome } from '../engine/plan-schema.ts';
import { json, type ScriptedReply, type ScriptedUsage } from './responses.ts';

/**
 * The planner's answer: `plan` as JSON text. Not validated, so a test can script a broken plan with a cast.
 * @example createScriptedModel([scriptPlan({ goal: 'Add', steps: [...], rationale: null })], { name: 'planner' })
 */
export function scriptPlan(plan: Plan, usage?: Partial<ScriptedUsage>): ScriptedReply {
  return json(plan, usage);
}

/** The executor's final answer for one step: `outcome` as JSON text. */
export function scriptStepOutcome(outcome: StepOutcome, usage?: Partial<ScriptedUsage>): ScriptedReply {
  return json(outcome, usage);
}

/** The replanner's decision after a failed step: `decision` as JSON text. */
export function scriptReplan(decision: ReplanDecision, usage?: Partial<ScriptedUsage>): ScriptedReply {
  return json(decision, usage);
}
