import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { PlanSchema, type Plan } from '../../src/engine/plan-schema.ts';
import {
  createScriptedModel,
  error,
  json,
  scriptPlan,
  ScriptExhaustedError,
  text,
  toolCall,
  type ModelPrompt,
  type ScriptedCall,
  type ScriptedModel,
} from '../../src/testing/index.ts';

const addInputs: Array<{ a: number; b: number }> = [];
const add = createTool({
  id: 'add',
  description: 'Add two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  outputSchema: z.object({ sum: z.number() }),
  execute: async ({ a, b }) => {
    addInputs.push({ a, b });
    return { sum: a + b };
  },
});

function agentWith(model: ScriptedModel, options: { maxRetries?: number } = {}) {
  return new Agent({ id: 'test-agent', name: 'Test agent', instructions: 'Be brief.', model, tools: { add }, ...options });
}

/** The text of every text part of a prompt message. */
function textsOf(message: ModelPrompt[number] | undefined): string[] {
  if (message === undefined) return [];
  if (message.role === 'system') return [message.content];
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
}

beforeEach(() => {
  addInputs.length = 0;
  // Mastra's default logger reports model errors with console.error ("Error in agent stream").
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('createScriptedModel', () => {
  it('answers a text reply and records the prompt', async () => {
    const model = createScriptedModel([text('Hi there.')], { name: 'greeter' });

    const res = await agentWith(model).generate('Hello?');

    expect(res.text).toBe('Hi there.');
    expect(res.finishReason).toBe('stop');
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.map((message) => message.role)).toEqual(['system', 'user']);
    expect(textsOf(model.calls[0]![0])).toEqual(['Be brief.']);
    expect(textsOf(model.calls[0]![1])).toEqual(['Hello?']);
    expect(model.remaining).toBe(0);
    expect(model.name).toBe('greeter');
    expect(model.modelId).toBe('greeter');
    expect(model.provider).toBe('scripted');
  });

  it('feeds structured output, parsed into res.object', async () => {
    const plan: Plan = {
      goal: 'Add 2 and 3',
      steps: [{ id: 's1', description: 'Add 2 and 3.', expectedOutput: 'The sum', dependsOn: [], toolHint: 'add' }],
      rationale: null,
    };
    const model = createScriptedModel([scriptPlan(plan)]);

    const res = await agentWith(model).generate('Plan it.', { structuredOutput: { schema: PlanSchema } });

    expect(res.object).toEqual(plan);
    expect(res.text).toBe(JSON.stringify(plan));
    expect(model.callOptions[0]!.responseFormat?.type).toBe('json');
  });

  it('runs the tool of a tool call, then answers with the tool result in the prompt', async () => {
    const model = createScriptedModel([toolCall('add', { a: 2, b: 3 }), text('The sum is 5.')]);

    const res = await agentWith(model).generate('What is 2 + 3?', { maxSteps: 5 });

    expect(res.text).toBe('The sum is 5.');
    expect(addInputs).toEqual([{ a: 2, b: 3 }]);
    expect(res.toolResults.map((chunk) => chunk.payload.result)).toEqual([{ sum: 5 }]);
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1]!.at(-1)).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'call-1',
          toolName: 'add',
          input: { a: 2, b: 3 },
          output: { type: 'json', value: { sum: 5 } },
        },
      ],
    });
  });

  it('uses the id given to toolCall', async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 1 }, { id: 'my-id' }), text('2')]);

    const res = await agentWith(model).generate('1 + 1?');

    expect(res.toolCalls.map((chunk) => chunk.payload.toolCallId)).toEqual(['my-id']);
  });

  it('answers each call of a script function from the call it receives', async () => {
    const seen: number[] = [];
    const echo = ({ prompt, callIndex }: ScriptedCall) => {
      seen.push(callIndex);
      return text(`echo ${callIndex}: ${textsOf(prompt.at(-1)).join('')}`);
    };
    const model = createScriptedModel([echo, echo]);
    const agent = agentWith(model);

    expect((await agent.generate('first')).text).toBe('echo 0: first');
    expect((await agent.generate('second')).text).toBe('echo 1: second');
    expect(seen).toEqual([0, 1]);
  });

  it('throws ScriptExhaustedError naming the model when the script runs out', async () => {
    const model = createScriptedModel([text('one')], { name: 'planner' });
    const agent = agentWith(model);
    await agent.generate('first question');

    const failure = agent.generate('second   question\n  please');

    await expect(failure).rejects.toThrow(ScriptExhaustedError);
    await expect(failure).rejects.toThrow(`Scripted model 'planner' ran out of responses after 1 call; last prompt: "second question please"`);
    expect(model.calls).toHaveLength(2);
  });

  it('makes generate reject with the error of an error() entry', async () => {
    const apiError = new Error('503 Service Unavailable');
    const model = createScriptedModel([error(apiError), text('recovered')]);

    await expect(agentWith(model).generate('Hi')).rejects.toBe(apiError);
    expect(model.calls).toHaveLength(1);
    expect(model.remaining).toBe(1);
  });

  it('lets an agent with maxRetries retry past an error() entry', async () => {
    const model = createScriptedModel([error(new Error('503 Service Unavailable')), text('recovered')]);

    const res = await agentWith(model, { maxRetries: 1 }).generate('Hi');

    expect(res.text).toBe('recovered');
    expect(model.calls).toHaveLength(2);
  });

  it('reports the scripted usage, summed over steps', async () => {
    const model = createScriptedModel([toolCall('add', { a: 2, b: 3 }, { usage: { input: 7, output: 3 } }), text('5', { input: 11, output: 5 })]);

    const res = await agentWith(model).generate('2 + 3?');

    expect(res.steps.map((step) => [step.usage.inputTokens, step.usage.outputTokens])).toEqual([
      [7, 3],
      [11, 5],
    ]);
    expect([res.totalUsage.inputTokens, res.totalUsage.outputTokens, res.totalUsage.totalTokens]).toEqual([18, 8, 26]);
  });

  it('reports 10 input and 20 output tokens per response by default', async () => {
    const model = createScriptedModel([json({ ok: true })]);

    const res = await agentWith(model).generate('ok?');

    expect([res.totalUsage.inputTokens, res.totalUsage.outputTokens, res.totalUsage.totalTokens]).toEqual([10, 20, 30]);
  });

  it('serves agent.stream from the same queue, tool loop included', async () => {
    const model = createScriptedModel([toolCall('add', { a: 2, b: 3 }), text('Streamed: 5.')]);

    const output = await agentWith(model).stream('2 + 3?');
    const deltas: string[] = [];
    for await (const delta of output.textStream) deltas.push(delta);

    expect(deltas).toEqual(['Streamed: 5.']);
    expect(await output.finishReason).toBe('stop');
    expect(addInputs).toEqual([{ a: 2, b: 3 }]);
    expect(model.calls).toHaveLength(2);
    expect(model.remaining).toBe(0);
  });
});
