import type { MastraModelConfig } from '@mastra/core/llm';

/**
 * Types a language model object as Mastra's `MastraModelConfig`, for `new Agent({ model })`.
 *
 * Needed for ai@7 mocks and @ai-sdk/openai@4 models: Mastra 1.71 vendors an older copy of the
 * LanguageModelV4 types whose `finishReason` lacks `'interrupted'`, so the structurally identical
 * objects fail to type-check (TS2322). The runtime object is returned unchanged.
 */
export function asMastraModel(model: { readonly specificationVersion: string; readonly provider: string; readonly modelId: string }): MastraModelConfig {
  return model as unknown as MastraModelConfig;
}
