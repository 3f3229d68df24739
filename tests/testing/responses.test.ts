import { describe, expect, it } from 'vitest';
import type { ReplanDecision, StepOutcome } from '../../src/engine/plan-schema.ts';
import { error, json, scriptReplan, scriptStepOutcome, text, toolCall } from '../../src/testing/index.ts';

describe('response helpers', () => {
  it('text() is a stop reply with the default usage', () => {
    expect(text('Hi')).toEqual({
      type: 'reply',
      content: [{ type: 'text', text: 'Hi' }],
      finishReason: 'stop',
      usage: { input: 10, output: 20 },
    });
  });

  it('json() holds JSON.stringify of the value and merges a partial usage', () => {
    expect(json({ a: [1, 'x'] }, { output: 3 })).toEqual({
      type: 'reply',
      content: [{ type: 'text', text: '{"a":[1,"x"]}' }],
      finishReason: 'stop',
      usage: { input: 10, output: 3 },
    });
  });

  it('toolCall() is a tool-calls reply, with no id unless given', () => {
    expect(toolCall('add', { a: 1 })).toEqual({
      type: 'reply',
      content: [{ type: 'tool-call', toolCallId: undefined, toolName: 'add', input: { a: 1 } }],
      finishReason: 'tool-calls',
      usage: { input: 10, output: 20 },
    });
    expect(toolCall('add', {}, { id: 'c9', usage: { input: 1, output: 2 } })).toEqual({
      type: 'reply',
      content: [{ type: 'tool-call', toolCallId: 'c9', toolName: 'add', input: {} }],
      finishReason: 'tool-calls',
      usage: { input: 1, output: 2 },
    });
  });

  it('error() carries the very error to throw', () => {
    const cause = new Error('429 Too Many Requests');
    expect(error(cause)).toEqual({ type: 'error', error: cause });
    expect(error(cause).error).toBe(cause);
  });

  it('scriptStepOutcome() and scriptReplan() are JSON text replies', () => {
    const outcome: StepOutcome = { success: false, output: '', error: 'No such file' };
    const decision: ReplanDecision = { action: 'skip', steps: null, rationale: 'Optional step.' };

    expect(scriptStepOutcome(outcome).content).toEqual([{ type: 'text', text: JSON.stringify(outcome) }]);
    expect(scriptReplan(decision, { input: 5 })).toEqual({
      type: 'reply',
      content: [{ type: 'text', text: '{"action":"skip","steps":null,"rationale":"Optional step."}' }],
      finishReason: 'stop',
      usage: { input: 5, output: 20 },
    });
  });
});
