import { describe, expect, it } from 'vitest';
import { ModelRequestRejectedError } from '../../src/engine/errors.ts';
import type { FailurePolicy } from '../../src/engine/policy.ts';
import type { Synthesizer } from '../../src/engine/ports.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import { MAX_RETRIES, resolveSettings, type RunSettings } from '../../src/engine/settings.ts';
import { throwing, type ExecutorAction } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';
import { harness } from '../helpers/run-harness.ts';

const never = () => new Promise<never>(() => undefined);
const hangingSynthesizer: Synthesizer = { synthesize: never };
const alwaysRetry: FailurePolicy = () => ({ type: 'retry' });

/** One fault: how the run is set up, and what it must end with. */
interface Fault {
  readonly plans?: unknown[];
  readonly decisions?: unknown[];
  readonly script?: Record<string, ExecutorAction[]>;
  readonly settings?: Partial<RunSettings>;
  readonly synthesizer?: Synthesizer;
  /** Final status, error code, and model calls spent: [planner, replanner, executor, synthesizer]. */
  readonly expected: readonly [PlanRunResult['status'], string | null, readonly [number, number, number, number]];
}

const FAULTS: Record<string, Fault> = {
  'the planner never answers': { plans: [never], settings: { callTimeoutMs: 30, maxRetries: 0 }, expected: ['failed', 'CALL_TIMEOUT', [1, 0, 0, 0]] },
  'the planner never answers, one retry': {
    plans: [never, never],
    settings: { callTimeoutMs: 30, maxRetries: 1 },
    expected: ['failed', 'CALL_TIMEOUT', [2, 0, 0, 0]],
  },
  'the replanner never answers': {
    plans: [plan([step('a')])],
    decisions: [never],
    script: { a: [{ fail: 'broken' }] },
    settings: { callTimeoutMs: 30, maxRetries: 0 },
    expected: ['failed', 'CALL_TIMEOUT', [1, 1, 1, 0]],
  },
  'the synthesizer never answers': {
    plans: [plan([step('a')])],
    synthesizer: hangingSynthesizer,
    settings: { callTimeoutMs: 30, maxRetries: 0 },
    expected: ['failed', 'CALL_TIMEOUT', [1, 0, 1, 1]],
  },
  'approvePlan never answers': {
    plans: [plan([step('a')])],
    settings: { approvePlan: never, approvalTimeoutMs: 30 },
    expected: ['rejected', 'APPROVAL_TIMEOUT', [1, 0, 0, 0]],
  },
  'the executor never answers and ignores its signal (no stepTimeoutMs)': {
    plans: [plan([step('a')])],
    script: { a: [{ hang: 'forever' }] },
    settings: { callTimeoutMs: 10, maxStepIterations: 3, maxRetries: 0, replanOnFailure: false },
    expected: ['failed', 'STEP_FAILED', [1, 0, 1, 0]],
  },
  'a policy that always retries a fast-failing executor': {
    plans: [plan([step('a')])],
    script: { a: Array.from({ length: 20 }, () => ({ throws: new Error('down') })) },
    settings: { failurePolicy: alwaysRetry },
    expected: ['failed', 'STEP_FAILED', [1, 0, MAX_RETRIES + 1, 0]],
  },
  'the replanner skips every step': {
    plans: [plan([step('a'), step('b')])],
    decisions: [
      { action: 'skip', steps: null, rationale: 'not needed' },
      { action: 'skip', steps: null, rationale: 'not needed either' },
    ],
    script: { a: [{ fail: 'no' }], b: [{ fail: 'no' }] },
    settings: { concurrency: 1, maxReplans: 2 },
    expected: ['failed', 'NOTHING_DONE', [1, 2, 2, 0]],
  },
  'the model server refuses the planner': {
    plans: [throwing(new ModelRequestRejectedError('planner', 401, 'Incorrect API key'))],
    expected: ['failed', 'MODEL_REQUEST_REJECTED', [1, 0, 0, 0]],
  },
};

describe('fault catalogue', () => {
  it.each(Object.entries(FAULTS))('%s: ends with the expected status, error code and model calls', async (_name, fault) => {
    const run = harness({ plans: fault.plans, decisions: fault.decisions, script: fault.script, settings: fault.settings });
    const result = await runPlan({ ...run.input, ...(fault.synthesizer ? { synthesizer: fault.synthesizer } : {}) });
    const synthesizerCalls = fault.synthesizer ? 1 : run.synthesizer.requests.length;
    const calls = [run.planner.planRequests.length, run.planner.replanRequests.length, run.executor.calls.length, synthesizerCalls];

    expect([result.status, result.error?.code ?? null, calls]).toEqual(fault.expected);
  });

  it('ends a hung executor attempt after callTimeoutMs × maxStepIterations when stepTimeoutMs is not set', async () => {
    const run = harness({
      plans: [plan([step('a')])],
      script: { a: [{ hang: 'forever' }] },
      settings: { callTimeoutMs: 20, maxStepIterations: 2, maxRetries: 0, replanOnFailure: false },
    });
    const result = await run.run();
    expect(result.steps.map((attempt) => attempt.error)).toEqual(['Step "a" timed out after 40 ms']);
  });

  it('lets a macrotask cancel a run whose policy retries a fast-failing executor (retries yield to the event loop)', async () => {
    const controller = new AbortController();
    // A macrotask: it runs only if the retry loop yields to the event loop between attempts.
    setImmediate(() => controller.abort());
    const run = harness({
      plans: [plan([step('a')])],
      script: { a: Array.from({ length: 20 }, () => ({ throws: new Error('down') })) },
      settings: { failurePolicy: alwaysRetry },
      abortSignal: controller.signal,
    });
    const result = await run.run();
    expect(result.status).toBe('cancelled');
    expect(run.executor.calls.length).toBeLessThan(MAX_RETRIES + 1);
  });

  it('cuts a 10 MB step output to maxStepOutputChars, with a marker, before it is stored or passed on', async () => {
    const run = harness({
      plans: [plan([step('a'), step('b', ['a'])])],
      script: { a: [{ ok: 'y'.repeat(10_000_000) }] },
      settings: { maxStepOutputChars: 1_000 },
    });
    const result = await run.run();
    const expected = `${'y'.repeat(1_000)}\n…[cut 9,999,000 of 10,000,000 characters]`;
    expect(result.plan[0]!.output).toBe(expected);
    expect(run.executor.calls[1]!.request.dependencies[0]!.output).toBe(expected);
  });
});

describe('bounds on options', () => {
  it.each([
    ['stepTimeoutMs', 2 ** 31, 'Expected `stepTimeoutMs` to be an integer from 1 to 2147483647, got 2147483648 (number)'],
    ['callTimeoutMs', 2 ** 31, 'Expected `callTimeoutMs` to be an integer from 1 to 2147483647, got 2147483648 (number)'],
    ['approvalTimeoutMs', 2 ** 32, 'Expected `approvalTimeoutMs` to be an integer from 1 to 2147483647, got 4294967296 (number)'],
    ['maxRetries', 1e21, 'Expected `maxRetries` to be an integer from 0 to 10, got 1e+21 (number)'],
    ['maxRetries', MAX_RETRIES + 1, 'Expected `maxRetries` to be an integer from 0 to 10, got 11 (number)'],
    ['maxStepOutputChars', 0, 'Expected `maxStepOutputChars` to be an integer from 1 and up, got 0 (number)'],
    ['redact', ['ok', 5], 'Expected `redact` to be an array of strings, got an array holding number'],
  ])('rejects %s = %s with INVALID_OPTIONS', (name, value, message) => {
    expect(() => resolveSettings({ [name]: value })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message }));
  });

  it('fills in the time limits and caps by default', () => {
    const { callTimeoutMs, approvalTimeoutMs, maxStepOutputChars, redact, stepTimeoutMs } = resolveSettings();
    expect({ callTimeoutMs, approvalTimeoutMs, maxStepOutputChars, redact, stepTimeoutMs }).toEqual({
      callTimeoutMs: 120_000,
      approvalTimeoutMs: 3_600_000,
      maxStepOutputChars: 65_536,
      redact: [],
      stepTimeoutMs: undefined,
    });
  });
});
