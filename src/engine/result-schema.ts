import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import { PlanSchema, PlanStepSchema } from './plan-schema.ts';
import type { PlanRunResult } from './result.ts';

const TokenUsageSchema = z.object({
  inputTokens: z.number().describe('Prompt tokens'),
  outputTokens: z.number().describe('Completion tokens'),
  totalTokens: z.number().describe('Input plus output tokens'),
});

const TrackedStepSchema = PlanStepSchema.extend({
  status: z.enum(['pending', 'in_progress', 'done', 'failed', 'skipped']).describe('Where the step stands'),
  output: z.string().nullable().describe('The output once done'),
  error: z.string().nullable().describe('The last error, or why it was skipped'),
  attempts: z.number().describe('Attempts started'),
});

const PlanRevisionSchema = z.object({
  revision: z.number().describe('1 for the first revision'),
  kind: z.enum(['revise', 'skip', 'edit']).describe('What changed the plan'),
  reason: z.string().describe('Why'),
  failedStepId: z.string().nullable().describe('The step whose failure caused it'),
  stepsBefore: z.array(PlanStepSchema).describe('Steps before the change'),
  stepsAfter: z.array(PlanStepSchema).describe('Steps after the change'),
});

const StepResultSchema = z.object({
  stepId: z.string().describe('The step'),
  attempt: z.number().describe('1 for the first attempt'),
  status: z.enum(['done', 'failed', 'cancelled']).describe('How the attempt ended'),
  output: z.string().nullable().describe('Output when done'),
  error: z.string().nullable().describe('Why it failed'),
  retryable: z.boolean().describe('Whether the failure was retryable'),
  toolCalls: z.number().describe('Tool calls made'),
  usage: TokenUsageSchema.describe('Tokens spent'),
  startedAt: z.string().describe('ISO 8601 start time'),
  durationMs: z.number().describe('Duration'),
  direct: z.literal(true).optional().describe('The engine called the tool itself (a direct step)'),
});

/** The zod form of `PlanRunResult`, for workflow outputs and the playground. */
export const PlanRunResultSchema = z.object({
  runId: z.string().describe("The run's id"),
  status: z.enum(['completed', 'failed', 'aborted', 'cancelled', 'rejected']).describe('How the run ended'),
  task: z.string().describe('The task as given'),
  initialPlan: PlanSchema.nullable().describe('The plan as first made'),
  plan: z.array(TrackedStepSchema).describe('The final plan with every step state'),
  revisions: z.array(PlanRevisionSchema).describe('Every change to the plan and why'),
  replanned: z.boolean().describe('Whether a replan revised or skipped steps'),
  finalOutput: z.string().describe('The synthesised answer'),
  steps: z.array(StepResultSchema).describe('Every step attempt in execution order'),
  usage: TokenUsageSchema.extend({
    byRole: z.object({ planner: TokenUsageSchema, executor: TokenUsageSchema, synthesizer: TokenUsageSchema }).describe('Per role'),
  }).describe('Tokens spent'),
  repairs: z.record(z.string(), z.number()).describe('Near misses in model answers fixed by the tolerant reader, by kind'),
  warnings: z
    .array(z.object({ stepId: z.string(), warning: z.enum(['no-tool-call', 'direct-call-failed']), message: z.string() }))
    .describe('Warnings raised during the run'),
  durationMs: z.number().describe('Wall-clock duration'),
  error: z
    .object({ code: z.enum(ERROR_CODES), message: z.string(), issues: z.array(z.string()).optional() })
    .nullable()
    .describe('Why the run did not complete'),
});

// Compile-time proof that a parsed result is a PlanRunResult (the other way differs only in readonly).
const parsedIsResult: z.infer<typeof PlanRunResultSchema> extends PlanRunResult ? true : never = true;
void parsedIsResult;

/** A result typed as the schema's output; the two differ only in `readonly`. */
export const asResultOutput = (result: PlanRunResult): z.infer<typeof PlanRunResultSchema> => result as z.infer<typeof PlanRunResultSchema>;
