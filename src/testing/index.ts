/**
 * `mastra-plan-execute/testing`: a scripted language model for tests and offline demos.
 * @module
 */
export { asMastraModel } from './as-mastra-model.ts';
export { scriptPlan, scriptReplan, scriptStepOutcome } from './domain-responses.ts';
export type { ModelCallOptions, ModelPrompt } from './model-protocol.ts';
export { DEFAULT_SCRIPTED_USAGE, error, json, text, toolCall } from './responses.ts';
export type {
  ScriptedContent,
  ScriptedFailure,
  ScriptedReply,
  ScriptedResponse,
  ScriptedUsage,
  ToolCallOptions,
} from './responses.ts';
export { createScriptedModel, ScriptExhaustedError } from './scripted-model.ts';
export type {
  ScriptedCall,
  ScriptedModel,
  ScriptedModelInspection,
  ScriptedModelOptions,
  ScriptEntry,
} from './scripted-model.ts';
