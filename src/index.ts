/**
 * mastra-plan-execute: the Plan & Execute agent pattern on Mastra.
 * @module
 */
export { PlanAndExecute } from './plan-and-execute.ts';
export type { PlanAndExecuteOptions, RoleInput, RunOptions } from './plan-and-execute.ts';

// Agents and their adapters to the engine.
export { createPlannerAgent, plannerPort, PLANNER_INSTRUCTIONS } from './agents/planner.ts';
export type { PlannerAgentOptions } from './agents/planner.ts';
export { createExecutorAgent, executorPort, EXECUTOR_INSTRUCTIONS } from './agents/executor.ts';
export type { ExecutorAgentOptions } from './agents/executor.ts';
export { createSynthesizerAgent, synthesizerPort, SYNTHESIZER_INSTRUCTIONS } from './agents/synthesizer.ts';
export type { SynthesizerAgentOptions } from './agents/synthesizer.ts';

// Mastra integration: the workflows and the default role agents.
export { createPlanExecuteWorkflow, PlanExecuteInputSchema, ApprovalSchema } from './mastra/workflows/plan-execute-workflow.ts';
export type { PlanExecuteWorkflowOptions } from './mastra/workflows/plan-execute-workflow.ts';
export { createReleaseWorkflow, ReleaseInputSchema, ReleaseOutputSchema } from './mastra/workflows/release-workflow.ts';
export { createDefaultAgents, DEFAULT_ALLOWED_COMMANDS } from './mastra/default-agents.ts';
export type { DefaultAgents } from './mastra/default-agents.ts';
export { PlanRunResultSchema } from './engine/result-schema.ts';

// Sandboxed tools.
export { createFileTools, createRunCommandTool, TOOL_DEFAULTS, Workspace, WorkspaceEscapeError } from './tools/index.ts';
export type { CommandRun, FileToolsOptions, RunCommandToolOptions, ToolFailure } from './tools/index.ts';

// Models from the environment.
export { modelsFromEnv, resolveRoleModel } from './models.ts';

// The framework-free engine.
export { resumePlan, runPlan } from './engine/run-plan.ts';
export { InMemoryRunStore } from './engine/run-store.ts';
export type { RunRecord, RunStore } from './engine/run-store.ts';
export { LibSQLRunStore } from './storage/libsql-run-store.ts';
export type { LibSQLRunStoreOptions } from './storage/libsql-run-store.ts';
export { PostgresRunStore } from './storage/postgres-run-store.ts';
export type { PostgresRunStoreOptions } from './storage/postgres-run-store.ts';
export type { ApprovePlan, RunPlanInput, RunSettings } from './engine/run-options.ts';
export { resolveSettings } from './engine/resolve-settings.ts';
export type { RunSettingsInput } from './engine/resolve-settings.ts';
export { DEFAULTS } from './engine/constants.ts';
export { PlanSchema, PlanStepSchema, ReplanDecisionSchema, StepOutcomeSchema } from './engine/plan-schema.ts';
export type { Plan, PlanStep, ReplanDecision, StepOutcome } from './engine/plan-schema.ts';
export { validatePlan, findCycle } from './engine/validate-plan.ts';
export type { PlanValidationContext, PlanValidationResult } from './engine/validate-plan.ts';
export { PlanTracker } from './engine/tracker.ts';
export type { PlanRevision, StepStatus, TrackedStep, TrackerSnapshot } from './engine/tracker.ts';
export { nextBatch, readyStepIds, isPlanSettled } from './engine/scheduler.ts';
export { defaultFailurePolicy } from './engine/policy.ts';
export type { FailureAction, FailureContext, FailurePolicy } from './engine/policy.ts';
export { eventStream } from './engine/event-stream.ts';
export type { PlanRunEvent, PlanRunEventType, PlanRunListener } from './engine/events.ts';
export type { PlanRunResult, RunErrorInfo, RunStatus, StepResult } from './engine/result.ts';
export type { ModelRole, RunUsage, TokenUsage } from './engine/usage.ts';
export type {
  CompletedStep,
  Executor,
  Planner,
  PlanRequest,
  ReplanRequest,
  RoleReply,
  StepReply,
  StepRequest,
  SynthesisRequest,
  Synthesizer,
  ToolInfo,
} from './engine/ports.ts';
export {
  BudgetExceededError,
  InvalidOptionsError,
  isRetryableError,
  MissingModelError,
  ModelOutputError,
  PlanExecuteError,
  PlanRejectedError,
  PlanValidationError,
  RunAbortedError,
  RunCancelledError,
  StepFailedError,
  StepTimeoutError,
  UnexpectedRunError,
} from './engine/errors.ts';
export type { PlanExecuteErrorCode } from './engine/errors.ts';
