import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { describe, expect, it } from 'vitest';
import { fieldList } from '../../src/agents/field-list.ts';
import { describeModelServer } from '../../src/agents/model-server.ts';
import { checkOutputModes, parseOutputModes, resolveOutputMode } from '../../src/agents/output-mode.ts';
import { ModelReplanDecisionSchema, StepOutcomeSchema } from '../../src/engine/plan-schema.ts';
import { outputModesFromEnv } from '../../src/models.ts';
import { asMastraModel, createScriptedModel } from '../../src/testing/index.ts';

const local = createOpenAI({ baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'not-needed' });
const openai = createOpenAI({ baseURL: 'https://api.openai.com/v1', apiKey: 'sk-test' });
const agentOf = (model: unknown) => new Agent({ id: 'a', name: 'A', instructions: 'x', model: model as MastraModelConfig });

const models: Array<[string, () => unknown, { provider: string; modelId: string; baseUrl: string | null }, string, string]> = [
  [
    'openai.chat on Ollama',
    () => asMastraModel(local.chat('llama3.2')),
    { provider: 'openai.chat', modelId: 'llama3.2', baseUrl: 'http://127.0.0.1:11434/v1' },
    'prompt',
    'tool',
  ],
  [
    'openai.chat on api.openai.com',
    () => asMastraModel(openai.chat('gpt-4o-mini')),
    { provider: 'openai.chat', modelId: 'gpt-4o-mini', baseUrl: 'https://api.openai.com/v1' },
    'native',
    'native',
  ],
  [
    'an OpenAI Responses model',
    () => asMastraModel(openai('gpt-4.1')),
    { provider: 'openai.responses', modelId: 'gpt-4.1', baseUrl: 'https://api.openai.com/v1' },
    'native',
    'native',
  ],
  ['the string "openai/gpt-4o-mini"', () => 'openai/gpt-4o-mini', { provider: 'openai', modelId: 'gpt-4o-mini', baseUrl: null }, 'native', 'native'],
  [
    'a config with a local url',
    () => ({ id: 'openai/qwen3', url: 'http://localhost:8000/v1' }),
    { provider: 'openai', modelId: 'qwen3', baseUrl: 'http://localhost:8000/v1' },
    'prompt',
    'tool',
  ],
  [
    'the string "anthropic/claude-sonnet-4"',
    () => 'anthropic/claude-sonnet-4',
    { provider: 'anthropic', modelId: 'claude-sonnet-4', baseUrl: null },
    'prompt',
    'tool',
  ],
  ['a scripted model', () => createScriptedModel([], { name: 'planner' }), { provider: 'scripted', modelId: 'planner', baseUrl: null }, 'native', 'native'],
  [
    'a function of the request context',
    () => () => asMastraModel(local.chat('qwen3')),
    { provider: 'openai.chat', modelId: 'qwen3', baseUrl: 'http://127.0.0.1:11434/v1' },
    'prompt',
    'tool',
  ],
  [
    'a fallback list',
    () => [{ model: asMastraModel(local.chat('phi4')) }, { model: 'openai/gpt-4o' }],
    { provider: 'openai.chat', modelId: 'phi4', baseUrl: 'http://127.0.0.1:11434/v1' },
    'prompt',
    'tool',
  ],
];

describe('auto mode', () => {
  it.each(models)('reads %s and picks planner %4$s, executor %5$s', async (_name, model, server, plannerMode, executorMode) => {
    const agent = agentOf(model());

    expect(await describeModelServer(agent)).toEqual(server);
    expect([await resolveOutputMode('planner', agent, 'auto'), await resolveOutputMode('executor', agent, 'auto')]).toEqual([plannerMode, executorMode]);
  });

  it("reads the URL of Mastra's own router model (what getModel() gives for a config object)", async () => {
    const router = await agentOf({ id: 'openai/qwen3', url: 'http://localhost:8000/v1' }).getModel();

    expect(await describeModelServer(agentOf(router))).toEqual({ provider: 'openai', modelId: 'qwen3', baseUrl: 'http://localhost:8000/v1' });
  });

  it('keeps an explicit mode without looking at the model', async () => {
    const agent = agentOf(() => {
      throw new Error('the model must not be resolved');
    });

    expect(await resolveOutputMode('executor', agent, 'prompt')).toBe('prompt');
  });
});

describe('PLAN_EXECUTE_OUTPUT_MODE', () => {
  it.each([
    [undefined, undefined],
    ['  ', undefined],
    ['auto', { planner: 'auto', executor: 'auto' }],
    ['native', { planner: 'native', executor: 'native' }],
    ['prompt', { planner: 'prompt', executor: 'prompt' }],
    ['tool', { planner: 'prompt', executor: 'tool' }],
    ['text', { planner: 'auto', executor: 'text' }],
    ['planner=prompt,executor=text', { planner: 'prompt', executor: 'text' }],
    ['planner=native, executor=tool', { planner: 'native', executor: 'tool' }],
    ['executor=prompt', { planner: 'auto', executor: 'prompt' }],
  ])('reads %j as %j', (value, modes) => {
    expect(parseOutputModes(value)).toEqual(modes);
    expect(outputModesFromEnv({ PLAN_EXECUTE_OUTPUT_MODE: value })).toEqual(modes);
  });

  it.each([
    ['json', 'PLAN_EXECUTE_OUTPUT_MODE="json" is not valid (Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "json")'],
    [
      'planner=tool',
      'PLAN_EXECUTE_OUTPUT_MODE="planner=tool" is not valid (Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "tool")',
    ],
    [
      'constructor',
      'PLAN_EXECUTE_OUTPUT_MODE="constructor" is not valid (Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "constructor")',
    ],
    [
      '__proto__',
      'PLAN_EXECUTE_OUTPUT_MODE="__proto__" is not valid (Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "__proto__")',
    ],
    [
      'planner=text',
      'PLAN_EXECUTE_OUTPUT_MODE="planner=text" is not valid (Expected `structuredOutput.planner` to be one of "auto", "native", "prompt", got "text")',
    ],
    ['synthesizer=prompt', 'PLAN_EXECUTE_OUTPUT_MODE="synthesizer=prompt" is not valid (Unknown role `structuredOutput.synthesizer`; use planner or executor)'],
  ])('rejects %j naming the variable', (value, message) => {
    expect(() => parseOutputModes(value)).toThrow(`${message}; use auto, native, prompt, tool, text, or a list such as planner=prompt,executor=tool`);
  });

  it('fills in auto for a role left out', () => {
    expect(checkOutputModes({ executor: 'tool' })).toEqual({ planner: 'auto', executor: 'tool' });
  });
});

describe('fieldList', () => {
  it('lists each field with its type and description', () => {
    expect(fieldList(StepOutcomeSchema)).toBe(
      [
        '- success (boolean): false if the step cannot be done',
        '- output (string): the result later steps need',
        '- error (string or null): why it failed, to plan around; null on success',
      ].join('\n'),
    );
  });

  it('lists an enum by its values and the fields of nested objects one level deeper', () => {
    const lines = fieldList(ModelReplanDecisionSchema).split('\n');

    expect(lines.map((line) => line.replace(/\): .*$/, ')'))).toEqual([
      '- action ("revise" | "skip" | "abort")',
      '- steps (array of objects or null)',
      '  Each with these fields:',
      '  - id (string)',
      '  - description (string)',
      '  - expectedOutput (string)',
      '  - dependsOn (array of strings)',
      '  - toolHint (string or null)',
      '  - tool (string or null)',
      '  - toolArgs (string or null)',
      '- rationale (string)',
    ]);
  });
});
