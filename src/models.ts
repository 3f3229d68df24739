import { createOpenAI } from '@ai-sdk/openai';
import type { MastraModelConfig } from '@mastra/core/llm';
import { parseOutputModes, type StructuredOutputOptions } from './agents/output-mode.ts';
import { MissingModelError } from './engine/errors.ts';
import type { ModelRole } from './engine/usage.ts';

export type { ModelRole };

/** The environment variables read here; any other key is ignored. */
export type ModelEnv = Readonly<Record<string, string | undefined>>;

/** Model name used for a role whose `<ROLE>_MODEL` variable is unset. */
export const DEFAULT_MODEL_NAME = 'gpt-4o-mini';

/** The API key sent to an OpenAI-compatible server when OPENAI_API_KEY is unset (local servers ignore it). */
export const PLACEHOLDER_API_KEY = 'not-needed';

// Passed explicitly so that `env` alone decides: @ai-sdk/openai would otherwise read process.env.OPENAI_BASE_URL.
const OPENAI_API_URL = 'https://api.openai.com/v1';

const MODEL_VARIABLES: Readonly<Record<ModelRole, readonly string[]>> = {
  planner: ['PLANNER_MODEL'],
  executor: ['EXECUTOR_MODEL'],
  synthesizer: ['SYNTHESIZER_MODEL', 'PLANNER_MODEL'],
};

/** The value of `name`, or undefined when it is unset or blank (as a copied `.env.example` leaves it). */
function read(env: ModelEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * The model name of `role`: PLANNER_MODEL, EXECUTOR_MODEL or SYNTHESIZER_MODEL; the synthesizer
 * falls back to PLANNER_MODEL; every role falls back to {@link DEFAULT_MODEL_NAME}.
 */
export function roleModelName(role: ModelRole, env: ModelEnv = process.env): string {
  for (const name of MODEL_VARIABLES[role]) {
    const value = read(env, name);
    if (value) return value;
  }
  return DEFAULT_MODEL_NAME;
}

/**
 * The model of `role`, from the environment:
 * - OPENAI_BASE_URL set: an OpenAI-compatible server (Ollama, vLLM, llama.cpp) through the Chat
 *   Completions API, with OPENAI_API_KEY or {@link PLACEHOLDER_API_KEY};
 * - else OPENAI_API_KEY set: OpenAI through the Responses API;
 * - else: throws {@link MissingModelError} (code `MODEL_NOT_CONFIGURED`).
 *
 * Nothing is contacted here; the first request happens when an agent calls the model.
 * @example
 * // OPENAI_BASE_URL=http://localhost:11434/v1 PLANNER_MODEL=llama3.2
 * const planner = resolveRoleModel('planner'); // openai.chat llama3.2
 */
export function resolveRoleModel(role: ModelRole, env: ModelEnv = process.env): MastraModelConfig {
  const modelName = roleModelName(role, env);
  const baseURL = read(env, 'OPENAI_BASE_URL');
  const apiKey = read(env, 'OPENAI_API_KEY');
  if (baseURL) {
    const provider = createOpenAI({ baseURL, apiKey: apiKey ?? PLACEHOLDER_API_KEY });
    return asModelConfig(provider.chat(modelName));
  }
  if (apiKey) return asModelConfig(createOpenAI({ baseURL: OPENAI_API_URL, apiKey })(modelName));
  throw missingModelError(role);
}

/** The provider name of {@link agentRoleModel}'s stand-in model. */
export const UNCONFIGURED_PROVIDER = 'unconfigured';

/**
 * The model of `role` for a Mastra agent: {@link resolveRoleModel}'s model when the environment
 * names one; otherwise a stand-in (provider {@link UNCONFIGURED_PROVIDER}) whose every call fails
 * with the MissingModelError naming OPENAI_API_KEY and OPENAI_BASE_URL. `generate` rejects with
 * that same error either way; the difference is where it is raised: inside the model call, Mastra
 * reports it as a serialized error chunk of the run, so the Studio's chat shows the message, while
 * an error thrown while resolving the model fails the request before the run starts and reaches
 * the chat as an empty `{}`.
 * @example new Agent({ ..., model: () => agentRoleModel('planner') })
 */
export function agentRoleModel(role: ModelRole, env: ModelEnv = process.env): MastraModelConfig {
  if (read(env, 'OPENAI_BASE_URL') || read(env, 'OPENAI_API_KEY')) return resolveRoleModel(role, env);
  const fail = async (): Promise<never> => {
    throw missingModelError(role);
  };
  return asModelConfig({
    specificationVersion: 'v4',
    provider: UNCONFIGURED_PROVIDER,
    modelId: roleModelName(role, env),
    supportedUrls: {},
    doGenerate: fail,
    doStream: fail,
  });
}

function missingModelError(role: ModelRole): MissingModelError {
  return new MissingModelError(
    `No model configured for the ${role}: set OPENAI_API_KEY to use OpenAI, ` +
      `or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).`,
  );
}

/** The models of the three roles, from the environment. */
export interface RoleModels {
  /** Writes plans and replans. */
  readonly planner: MastraModelConfig;
  /** Runs the steps with tools. */
  readonly executor: MastraModelConfig;
  /** Merges the step outputs into the answer. */
  readonly synthesizer: MastraModelConfig;
}

/** The role models and, when the environment chooses them, the structured-output modes. */
export interface EnvModels extends RoleModels {
  /** From PLAN_EXECUTE_OUTPUT_MODE; absent when it is unset (every role `auto`). */
  readonly structuredOutput?: StructuredOutputOptions;
}

/**
 * The structured-output modes PLAN_EXECUTE_OUTPUT_MODE chooses: `auto`, `native` or `prompt` for
 * every role; `tool` (the executor reports through its final-answer tool, the planner uses
 * `prompt`); `text` (the executor's answer is the output, the planner `auto`); or per role, `planner=prompt,executor=tool`. Undefined when it is unset or blank.
 * @throws InvalidOptionsError for any other value.
 */
export function outputModesFromEnv(env: ModelEnv = process.env): StructuredOutputOptions | undefined {
  return parseOutputModes(read(env, 'PLAN_EXECUTE_OUTPUT_MODE'));
}

/**
 * The model of every role, resolved now with {@link resolveRoleModel}, and the structured-output
 * modes of {@link outputModesFromEnv} when set. Spread it into the PlanAndExecute options. Call it
 * where the models are needed (not at import time), so that a missing configuration only fails a
 * run that needs a model.
 * @throws MissingModelError when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set.
 * @example new PlanAndExecute({ ...modelsFromEnv(), tools });
 */
export function modelsFromEnv(env: ModelEnv = process.env): EnvModels {
  const structuredOutput = outputModesFromEnv(env);
  return {
    planner: resolveRoleModel('planner', env),
    executor: resolveRoleModel('executor', env),
    synthesizer: resolveRoleModel('synthesizer', env),
    ...(structuredOutput ? { structuredOutput } : {}),
  };
}

/** @ai-sdk/openai@4 models fail Mastra 1.71's vendored V4 types (MASTRA-NOTES pitfall 2); the object is unchanged. */
function asModelConfig(model: object): MastraModelConfig {
  return model as unknown as MastraModelConfig;
}
