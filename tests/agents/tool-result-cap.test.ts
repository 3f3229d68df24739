import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelOutputWithin } from '../../src/agents/cap-tool-results.ts';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { createScriptedModel, toolCall } from '../../src/testing/index.ts';
import { succeed } from '../helpers/agent-fixtures.ts';

const request = (signal = new AbortController().signal) => ({
  task: 'Read it',
  step: { id: 's1', description: 'Read the big file', expectedOutput: 'its size', dependsOn: [], toolHint: 'big' },
  dependencies: [],
  attempt: 1,
  previousError: null,
  maxIterations: 5,
  abortSignal: signal,
});

describe('tool results shown to the executor model', () => {
  it('cuts a result longer than maxToolResultChars, with a marker, while the tool itself returns it whole', async () => {
    const returned: string[] = [];
    const big = createTool({
      id: 'big',
      description: 'Returns a big text',
      inputSchema: z.object({}),
      execute: async () => {
        const text = 'x'.repeat(100_000);
        returned.push(text);
        return text;
      },
    });
    const model = createScriptedModel([toolCall('big', {}), succeed('done')]);
    const agent = createExecutorAgent({ model, tools: { big }, maxToolResultChars: 1_000, structuredOutput: 'native' });
    const reply = await executorPort(agent).execute(request());

    expect(reply.value).toEqual({ success: true, output: 'done', error: null });
    expect(returned[0]).toHaveLength(100_000);
    const toolMessage = model.calls[1]!.at(-1) as { role: string; content: Array<{ type: string; output: unknown }> };
    expect(toolMessage.role).toBe('tool');
    expect(toolMessage.content[0]!.output).toEqual({ type: 'text', value: `${'x'.repeat(1_000)}\n…[cut 99,000 of 100,000 characters]` });
    expect(JSON.stringify(model.calls[1])).not.toContain('x'.repeat(1_001));
  });

  it('rejects a maxToolResultChars that is not a positive integer', () => {
    expect(() => createExecutorAgent({ model: createScriptedModel([]), maxToolResultChars: 0 })).toThrow(
      'Expected `maxToolResultChars` to be an integer from 1 and up, got 0 (number)',
    );
  });
});

describe('modelOutputWithin', () => {
  it.each([
    ['a short string', 'abc', 5, undefined],
    ['a long string', 'abcdefgh', 5, { type: 'text', value: 'abcde\n…[cut 3 of 8 characters]' }],
    ['an object, by its JSON', { a: 'abcdefgh' }, 5, { type: 'text', value: '{"a":\n…[cut 11 of 16 characters]' }],
    ['an already mapped text output', { type: 'text', value: 'abcdefgh' }, 5, { type: 'text', value: 'abcde\n…[cut 3 of 8 characters]' }],
    ['nothing', undefined, 5, undefined],
  ])('shows %s within the limit', (_name, output, maxChars, expected) => {
    expect(modelOutputWithin(output, maxChars)).toEqual(expected);
  });
});
