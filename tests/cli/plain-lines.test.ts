import { describe, expect, it } from 'vitest';
import { formatEvent, formatModelCall } from '../../src/cli/output/plain-lines.ts';
import { ModelRequestRejectedError, ModelUnavailableError, StepFailedError, type PlanExecuteError } from '../../src/engine/errors.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';

const BASE = { runId: 'run-1', timestamp: '2025-01-01T00:00:00.000Z' };
type ModelCalled = Extract<PlanRunEvent, { type: 'model-called' }>;
const call = (extra: Partial<ModelCalled> = {}): ModelCalled => ({
  ...BASE,
  type: 'model-called',
  role: 'planner',
  stepId: null,
  mode: 'native',
  usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
  durationMs: 812.4,
  repairs: [],
  error: null,
  ...extra,
});
const finished = (error: PlanExecuteError): PlanRunEvent => ({
  ...BASE,
  type: 'run-finished',
  status: 'failed',
  result: {} as PlanRunResult,
  error,
});

describe('formatModelCall (--verbose)', () => {
  it.each([
    ['a planner call', call(), '  model call: planner, mode native, 150 tokens (120 in, 30 out) in 812 ms'],
    [
      "an executor call with the tolerant reader's repairs",
      call({ role: 'executor', stepId: 'write', mode: 'tool', repairs: ['trailing-comma', 'snake-case-keys'] }),
      '  model call: executor (step write), mode tool, 150 tokens (120 in, 30 out) in 812 ms, repaired: trailing-comma, snake-case-keys',
    ],
    [
      'a call whose role names no mode',
      call({ role: 'synthesizer', mode: null, usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 }, durationMs: 3 }),
      '  model call: synthesizer, 1 token (1 in, 0 out) in 3 ms',
    ],
    [
      'a call that failed',
      call({ mode: null, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, durationMs: 637, error: 'MODEL_UNAVAILABLE' }),
      '  model call: planner, 0 tokens (0 in, 0 out) in 637 ms, failed: MODEL_UNAVAILABLE',
    ],
  ])('prints %s on one line', (_what, event, line) => {
    expect(formatModelCall(event)).toBe(line);
  });

  it('is not a progress line without --verbose', () => {
    expect(formatEvent(call())).toBeNull();
  });
});

describe('formatEvent', () => {
  it.each([
    [{ attempt: 1 }, '  > s1 started'],
    [{ attempt: 2 }, '  > s1 started (attempt 2)'],
    [{ attempt: 1, early: true as const }, '  > s1 started (while the plan was written)'],
  ])('prints a step start %j', (extra, line) => {
    expect(formatEvent({ ...BASE, type: 'step-started', stepId: 's1', description: 'Do s1', ...extra })).toBe(line);
  });

  it('prints a step warning with its name', () => {
    const event: PlanRunEvent = {
      ...BASE,
      type: 'step-warning',
      stepId: 'write',
      warning: 'no-tool-call',
      message: 'The plan named writeFile for this step, but the executor made no tool call',
    };
    expect(formatEvent(event)).toBe('  ⚠ write: The plan named writeFile for this step, but the executor made no tool call (no-tool-call)');
  });

  it.each([
    [new ModelUnavailableError('planner', 'http://127.0.0.1:9/v1', 'connect ECONNREFUSED 127.0.0.1:9'), 'run failed: MODEL_UNAVAILABLE'],
    [new ModelRequestRejectedError('planner', 401, 'Incorrect API key provided'), 'run failed: MODEL_REQUEST_REJECTED'],
    [new StepFailedError('write', 'Step "write" failed: disk full'), 'run failed: Step "write" failed: disk full'],
  ])('ends with the code when the model server ended the run, with the message otherwise (%s)', (error, line) => {
    expect(formatEvent(finished(error))).toBe(line);
  });
});
