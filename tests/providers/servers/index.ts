// Loopback stand-ins of OpenAI-compatible model servers, each following its server's documented
// behaviour (sources next to each rule), with a brain deciding what the model says. See
// /work/notes/servers-report.md for the rules, their sources and how to use them.

export { askBrain, estimateTokens } from './brain-call.ts';
export { askedFields, dataBlocks, fitToFormat, lastResultOf, promptText, requestRole, stepOf, toolResults, type RequestRole } from './brain-reading.ts';
export {
  chattyJson,
  createTaskBrain,
  FINAL_ANSWER_TOOL,
  NOTE_CONTENT,
  NOTE_PATH,
  NOTE_TASK,
  notePlan,
  READ_TOOL,
  THINKING,
  WRITE_TOOL,
  type TaskBrainOptions,
} from './brain.ts';
export { argumentPieces } from './chat-stream.ts';
export { startChatServer, type ChatRules, type ChatServerDefinition } from './chat-server.ts';
export { closedLoopbackAddress, startRateLimitedServer, startUnauthorizedServer, type ClosedAddress, type RateLimitedServerOptions } from './failures.ts';
export { startLlamaCppServer, thinkBlock, type LlamaCppServerOptions, type ReasoningFormat } from './llama-cpp.ts';
export { LM_STUDIO_JSON_OBJECT_ERROR, startLmStudioServer } from './lm-studio.ts';
export { ollamaModelName, ollamaThinks, startNoToolsServer, startOllamaServer, type OllamaServerOptions } from './ollama.ts';
export { startOpenAIChatServer, type OpenAIServerOptions } from './openai-chat.ts';
export { maskApiKey } from './openai-errors.ts';
export { startOpenAIResponsesServer } from './openai-responses.ts';
export { startVllmServer, type VllmServerOptions } from './vllm.ts';
export type * from './types.ts';
