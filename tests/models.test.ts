import { describe, expect, it } from 'vitest';
import { MissingModelError } from '../src/engine/errors.ts';
import { modelsFromEnv, resolveRoleModel, roleModelName, type ModelEnv, type ModelRole } from '../src/models.ts';

/** What an @ai-sdk/openai model exposes; `config` is internal but lets us check URL and key without a request. */
interface OpenAIModelView {
  readonly provider: string;
  readonly modelId: string;
  readonly config: {
    url(options: { path: string; modelId: string }): string;
    headers(): Record<string, string | undefined>;
  };
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function view(role: ModelRole, env: ModelEnv): OpenAIModelView {
  return resolveRoleModel(role, env) as unknown as OpenAIModelView;
}

describe('resolveRoleModel', () => {
  it('uses the Chat Completions API of OPENAI_BASE_URL, with a placeholder key', () => {
    const model = view('executor', { OPENAI_BASE_URL: 'http://localhost:11434/v1', EXECUTOR_MODEL: 'llama3.2' });

    expect([model.provider, model.modelId]).toEqual(['openai.chat', 'llama3.2']);
    expect(model.config.url({ path: '/chat/completions', modelId: 'llama3.2' })).toBe('http://localhost:11434/v1/chat/completions');
    expect(model.config.headers().authorization).toBe('Bearer not-needed');
  });

  it('sends OPENAI_API_KEY to OPENAI_BASE_URL when both are set', () => {
    const model = view('planner', { OPENAI_BASE_URL: 'http://vllm:8000/v1', OPENAI_API_KEY: 'sk-local' });

    expect([model.provider, model.modelId]).toEqual(['openai.chat', 'gpt-4o-mini']);
    expect(model.config.headers().authorization).toBe('Bearer sk-local');
  });

  it('uses the OpenAI Responses API when only OPENAI_API_KEY is set', () => {
    const model = view('planner', { OPENAI_API_KEY: 'sk-test', PLANNER_MODEL: 'gpt-4.1' });

    expect([model.provider, model.modelId]).toEqual(['openai.responses', 'gpt-4.1']);
    expect(model.config.url({ path: '/responses', modelId: 'gpt-4.1' })).toBe('https://api.openai.com/v1/responses');
    expect(model.config.headers().authorization).toBe('Bearer sk-test');
  });

  it('treats a blank OPENAI_BASE_URL as unset', () => {
    expect(view('executor', { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: ' ' }).provider).toBe('openai.responses');
  });

  it.each<[ModelRole, string]>([
    ['planner', 'No model configured for the planner'],
    ['executor', 'No model configured for the executor'],
    ['synthesizer', 'No model configured for the synthesizer'],
  ])('throws MissingModelError naming both variables for the %s when neither is set', (role, start) => {
    const error = catchError(() => resolveRoleModel(role, { PLANNER_MODEL: 'gpt-4.1', OPENAI_API_KEY: '' }));

    expect(error).toBeInstanceOf(MissingModelError);
    expect((error as MissingModelError).code).toBe('MODEL_NOT_CONFIGURED');
    expect((error as MissingModelError).message).toBe(
      `${start}: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).`,
    );
  });
});

describe('roleModelName', () => {
  it.each<[ModelRole, ModelEnv, string]>([
    ['planner', {}, 'gpt-4o-mini'],
    ['executor', {}, 'gpt-4o-mini'],
    ['synthesizer', {}, 'gpt-4o-mini'],
    ['planner', { PLANNER_MODEL: 'p', EXECUTOR_MODEL: 'e' }, 'p'],
    ['executor', { PLANNER_MODEL: 'p', EXECUTOR_MODEL: 'e' }, 'e'],
    ['executor', { PLANNER_MODEL: 'p' }, 'gpt-4o-mini'],
    ['synthesizer', { PLANNER_MODEL: 'p', EXECUTOR_MODEL: 'e' }, 'p'],
    ['synthesizer', { PLANNER_MODEL: 'p', SYNTHESIZER_MODEL: 's' }, 's'],
    ['synthesizer', { PLANNER_MODEL: 'p', SYNTHESIZER_MODEL: '' }, 'p'],
  ])('names the %s model from %j as %s', (role, env, expected) => {
    expect(roleModelName(role, env)).toBe(expected);
  });
});

describe('modelsFromEnv', () => {
  it('resolves the three roles with their own names', () => {
    const env = { OPENAI_BASE_URL: 'http://localhost:8080/v1', PLANNER_MODEL: 'qwen-big', EXECUTOR_MODEL: 'qwen-small' };

    const models = modelsFromEnv(env);

    expect(Object.keys(models)).toEqual(['planner', 'executor', 'synthesizer']);
    expect(
      Object.values(models).map((model) => {
        const { provider, modelId } = model as unknown as OpenAIModelView;
        return `${provider} ${modelId}`;
      }),
    ).toEqual(['openai.chat qwen-big', 'openai.chat qwen-small', 'openai.chat qwen-big']);
  });

  it('adds the structured-output modes PLAN_EXECUTE_OUTPUT_MODE chooses', () => {
    const models = modelsFromEnv({ OPENAI_BASE_URL: 'http://localhost:8080/v1', PLAN_EXECUTE_OUTPUT_MODE: 'planner=native,executor=prompt' });

    expect(Object.keys(models)).toEqual(['planner', 'executor', 'synthesizer', 'structuredOutput']);
    expect(models.structuredOutput).toEqual({ planner: 'native', executor: 'prompt' });
  });

  it('throws InvalidOptionsError naming PLAN_EXECUTE_OUTPUT_MODE for an unknown mode', () => {
    const error = catchError(() => modelsFromEnv({ OPENAI_BASE_URL: 'http://localhost:8080/v1', PLAN_EXECUTE_OUTPUT_MODE: 'strict' }));

    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((error as Error).message).toMatch(/^PLAN_EXECUTE_OUTPUT_MODE="strict" is not valid/);
  });

  it('throws MissingModelError for the planner first when nothing is set', () => {
    expect(() => modelsFromEnv({})).toThrow('No model configured for the planner: set OPENAI_API_KEY');
  });
});
