import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import type { ExecutorOutputMode } from '../../src/agents/output-mode.ts';
import { createScriptedModel, text, toolCall } from '../../src/testing/index.ts';
import { succeed } from '../helpers/agent-fixtures.ts';
import { step } from '../helpers/plans.ts';
import { harnessInputTokens, promptChars } from '../helpers/prompt-tokens.ts';

// Step 2 of the peers harness's 20-step linear plan (scenario D), its tool and its token rule
// (ceil(characters / 4) of the messages, the tool definitions and the response schema): the
// executor's input per step, both turns (the tool call, then the outcome), issue 11. Before the
// cut the same step cost 1,271 tokens in native mode (LangGraph's executor: 221).
const work = createTool({
  id: 'work',
  description: 'Carry out one plan step and return its result.',
  inputSchema: z.object({ step: z.string().describe('the plan step to carry out') }),
  execute: async ({ step: text }) => `result of ${text}`,
});
const S02 = 'S02: process item 2 using the output of S01';
const request = {
  task: 'Process 20 work items in order and report when all are done.',
  step: step('S02', ['S01'], { description: S02, expectedOutput: 'the result of S02', toolHint: 'work' }),
  dependencies: [{ id: 'S01', description: 'S01: process item 1', output: 'Completed S01. result of S01' }],
  attempt: 1,
  previousError: null,
  maxIterations: 5,
  abortSignal: new AbortController().signal,
};

async function stepTokens(mode: ExecutorOutputMode) {
  const outcome = { success: true, output: 'Completed S02. result of S02', error: null };
  const last = mode === 'tool' ? toolCall('report_step_outcome', outcome) : mode === 'text' ? text(outcome.output) : succeed(outcome.output);
  const model = createScriptedModel([toolCall('work', { step: S02 }), last]);
  const reply = await executorPort(createExecutorAgent({ model, tools: { work } }), { mode }).execute(request);
  expect(reply.value).toEqual(outcome);
  return { perCall: model.callOptions.map(harnessInputTokens), chars: model.callOptions.map(promptChars) };
}

describe('executor input tokens per step (peers harness counting)', () => {
  it.each([
    // native: the response schema carries the outcome's fields, the prompt does not repeat them.
    ['native', [300, 341], 641],
    // tool: the report tool's schema carries them.
    ['tool', [351, 392], 743],
    // prompt: no schema; the fields are listed once in the prompt.
    ['prompt', [272, 313], 585],
    // text: no schema at all; one line says how to answer.
    ['text', [215, 256], 471],
  ] as const)('%s mode: exact tokens of both turns', async (mode, perCall, total) => {
    const { perCall: counted } = await stepTokens(mode);
    expect(counted).toEqual(perCall);
    expect(counted[0]! + counted[1]!).toBe(total);
  });

  it('text mode sends no response schema: its turns are the prompt and the tool definition alone', async () => {
    const { chars } = await stepTokens('text');
    expect(chars.map((call) => [call.tools, call.schema])).toEqual([
      [314, 0],
      [314, 0],
    ]);
  });

  it('sends the step, the task and the dependency output once per turn, and nothing twice', async () => {
    const { chars } = await stepTokens('native');
    // The second turn is the first plus the tool call and its result.
    expect(chars[1]!.prompt - chars[0]!.prompt).toBe(
      '\ntool-call work {"step":"S02: process item 2 using the output of S01"}\ntool-result work {"type":"text","value":"result of S02: process item 2 using the output of S01"}'
        .length,
    );
    expect([chars[0]!.tools, chars[1]!.tools, chars[0]!.schema]).toEqual([chars[1]!.tools, 314, chars[1]!.schema]);
  });
});
