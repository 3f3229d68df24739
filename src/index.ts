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
export { DEFAULT_MAX_TOOL_RESULT_CHARS } from './agents/cap-tool-results.ts';
export { createSynthesizerAgent, synthesizerPort, SYNTHESIZER_INSTRUCTIONS } from './agents/synthesizer.ts';
export type { ExecutorPortOptions } from './agents/executor.ts';
export type { PlannerPortOptions } from './agents/planner.ts';
export type { ExecutorOutputMode, PlannerOutputMode, StructuredOutputMode, StructuredOutputOptions } from './agents/output-mode.ts';
export { REPORT_TOOL_NAME } from './agents/report-tool.ts';
export { plannerIdentity } from './agents/planner.ts';
export { DirectCallError, directToolRunner } from './agents/tool-runner.ts';
export { toolInputSchema } from './agents/tool-schema.ts';
export type { SynthesizerAgentOptions } from './agents/synthesizer.ts';

// Mastra integration: the Plan & Execute workflow and the default role agents.
export { createPlanExecuteWorkflow, PlanExecuteInputSchema, ApprovalSchema } from './mastra/workflows/plan-execute-workflow.ts';
export type { PlanExecuteWorkflowOptions } from './mastra/workflows/plan-execute-workflow.ts';
export { planRunResultOf, RunEndedError } from './mastra/workflows/run-ended-error.ts';
export type { RunEndedErrorJSON, UnsuccessfulRunStatus, WorkflowRunLike } from './mastra/workflows/run-ended-error.ts';
export { PlanRunProgressSchema, readProgress } from './mastra/workflows/progress.ts';
export type { PlanRunProgress } from './mastra/workflows/progress.ts';
export { createDefaultAgents, DEFAULT_ALLOWED_COMMANDS } from './mastra/default-agents.ts';
export type { DefaultAgents, DefaultAgentsOptions } from './mastra/default-agents.ts';
export { PlanRunResultSchema } from './engine/result-schema.ts';
export { createRedactingSpanProcessor } from './mastra/tracing.ts';
export type { RedactingSpanProcessorOptions } from './mastra/tracing.ts';

// Sandboxed tools.
export { createFileTools, createRunCommandTool, TOOL_DEFAULTS, Workspace, WorkspaceEscapeError } from './tools/index.ts';
export type { CommandRun, FileToolsOptions, RunCommandToolOptions, SandboxMode, ToolFailure } from './tools/index.ts';
// Tools from MCP servers (@mastra/mcp).
export { loadMcpTools, MCP_DEFAULTS, mcpConfigSecrets, McpConfigSchema, McpServerConfigSchema, parseMcpConfig, readMcpConfig } from './tools/index.ts';
export type { LoadMcpToolsOptions, McpConfig, McpHttpServerConfig, McpServerConfig, McpStdioServerConfig, McpTools } from './tools/index.ts';

// Models from the environment.
export { modelsFromEnv, outputModesFromEnv, resolveRoleModel } from './models.ts';
export type { EnvModels, RoleModels } from './models.ts';

// The framework-free engine.
export { resumePlan, runPlan } from './engine/run-plan.ts';
export { hasLeases, InMemoryRunStore } from './engine/run-store.ts';
export type { Fence, LeasedRunStore, LeaseRequest, RunLease, RunRecord, RunStore, StoredRun } from './engine/run-store.ts';
export { LibSQLRunStore } from './storage/libsql-run-store.ts';
export type { LibSQLRunStoreOptions } from './storage/libsql-run-store.ts';
export { PostgresRunStore } from './storage/postgres-run-store.ts';
export type { PostgresRunStoreOptions } from './storage/postgres-run-store.ts';
export { POSTGRES_TIMEOUTS } from './storage/postgres-pool.ts';
export type { PostgresTimeouts } from './storage/postgres-pool.ts';
export { DEFAULT_PLAN_CACHE_MAX_ENTRIES, InMemoryPlanCache, normaliseTask, planCacheKey } from './engine/plan-cache.ts';
export type { InMemoryPlanCacheOptions, PlanCache, PlanCacheKeyInput } from './engine/plan-cache.ts';
export { LibSQLPlanCache } from './storage/libsql-plan-cache.ts';
export type { LibSQLPlanCacheOptions } from './storage/libsql-plan-cache.ts';
export { PostgresPlanCache } from './storage/postgres-plan-cache.ts';
export type { PostgresPlanCacheOptions } from './storage/postgres-plan-cache.ts';
export { approveRun, finishRun, handleFailures, iterate, loadRun, planAndApprove, planRun, releaseRun, startRun } from './engine/phases.ts';
export type { ApprovalVerdict } from './engine/make-plan.ts';
export type { RunContext } from './engine/run-context.ts';
export type { ResumeInput, RunPlanInput, RunRoles } from './engine/run-input.ts';
export { DEFAULTS, MAX_RETRIES, resolveSettings } from './engine/settings.ts';
export { createRedactor, isSecretName, MIN_SECRET_LENGTH, REDACTED, secretsFromEnv } from './engine/redact.ts';
export type { Redactor, RedactorOptions } from './engine/redact.ts';
export { cutText } from './engine/cut-text.ts';
export type { ApprovePlan, RunSettings, RunSettingsInput } from './engine/settings.ts';
export {
  ModelPlanSchema,
  ModelPlanStepSchema,
  ModelReplanDecisionSchema,
  PlanSchema,
  PlanStepSchema,
  ReplanDecisionSchema,
  StepMetaSchema,
  StepOutcomeSchema,
  ToolArgsSchema,
} from './engine/plan-schema.ts';
export type { ModelPlan, ModelPlanStep, ModelReplanDecision, Plan, PlanStep, ReplanDecision, StepMeta, StepOutcome, ToolArgs } from './engine/plan-schema.ts';
export { catalogueContext, validatePlan, findCycle } from './engine/validate-plan.ts';
export { fillArgs, findRefs, isDirectStep, isStepRef, RefResolutionError, resolveRef } from './engine/direct-args.ts';
export type { ArgPath, FoundRef, StepRef } from './engine/direct-args.ts';
export { checkDirectSteps, literalArgIssues } from './engine/check-direct-steps.ts';
export type { DirectStepContext, ToolInputSchema } from './engine/check-direct-steps.ts';
export type { PlanValidationContext, PlanValidationResult } from './engine/validate-plan.ts';
export { PlanTracker } from './engine/tracker.ts';
export type { PlanRevision, StepStatus, TrackedStep, TrackerSnapshot } from './engine/tracker.ts';
export { nextBatch, readyStepIds, isPlanSettled } from './engine/scheduler.ts';
export { defaultFailurePolicy } from './engine/policy.ts';
export type { FailureAction, FailureContext, FailurePolicy, StepFailure } from './engine/policy.ts';
export { eventStream } from './engine/event-stream.ts';
export type { PlanRunEvent, PlanRunEventType, PlanRunListener } from './engine/events.ts';
export type { PlanRunResult, RunErrorInfo, RunStatus, RunWarning, RunWarningKind, StepResult } from './engine/result.ts';
export type { ModelRole, RunUsage, TokenUsage } from './engine/usage.ts';
export type {
  CompletedStep,
  DirectCall,
  DirectToolRunner,
  Executor,
  Planner,
  PlanRequest,
  ReplanRequest,
  RoleReply,
  StepReply,
  StepRequest,
  SynthesisRequest,
  Synthesizer,
  ToolCallRequest,
  ToolInfo,
} from './engine/ports.ts';
export {
  ApprovalTimeoutError,
  BudgetExceededError,
  CallTimeoutError,
  InvalidOptionsError,
  isPlanExecuteError,
  isRetryableError,
  isRunEndingError,
  MissingModelError,
  ModelCallFailedError,
  ModelOutputError,
  ModelRequestRejectedError,
  ModelUnavailableError,
  NothingDoneError,
  PlanExecuteError,
  PlanRejectedError,
  PlanValidationError,
  RunAbortedError,
  RunCancelledError,
  RunLockedError,
  StepFailedError,
  StepTimeoutError,
  StoreFailedError,
  UnexpectedRunError,
} from './engine/errors.ts';
export type { ErrorOfCode, ModelCallRole, PlanExecuteErrorCode } from './engine/errors.ts';
