import { describe, expect, it } from 'vitest';
import { defaultFailurePolicy, type FailureAction, type FailureContext } from '../../src/engine/policy.ts';

const base: FailureContext = {
  stepId: 'fetch',
  error: 'HTTP 503',
  retryable: true,
  attempts: 1,
  maxRetries: 1,
  replanOnFailure: true,
  replansUsed: 0,
  maxReplans: 2,
};

describe('defaultFailurePolicy', () => {
  it.each<[string, Partial<FailureContext>, FailureAction]>([
    ['retries a retryable error while retries are left', {}, { type: 'retry' }],
    ['retries up to the last allowed re-run', { attempts: 3, maxRetries: 3 }, { type: 'retry' }],
    ['retries even when replanning is off', { replanOnFailure: false }, { type: 'retry' }],
    ['replans a retryable error once retries are spent', { attempts: 2 }, { type: 'replan' }],
    ['replans a retryable error at once when maxRetries is 0', { maxRetries: 0 }, { type: 'replan' }],
    ['replans a permanent failure at once, retries left or not', { retryable: false }, { type: 'replan' }],
    ['replans while one replan is left', { retryable: false, replansUsed: 1 }, { type: 'replan' }],
    [
      'fails when replanning is off',
      { retryable: false, replanOnFailure: false },
      { type: 'fail', reason: 'Step "fetch" failed and replanning is off: HTTP 503' },
    ],
    [
      'fails a retryable error with spent retries when replanning is off',
      { attempts: 2, replanOnFailure: false },
      { type: 'fail', reason: 'Step "fetch" failed and replanning is off: HTTP 503' },
    ],
    [
      'fails when the replan budget is spent',
      { retryable: false, replansUsed: 2 },
      { type: 'fail', reason: 'Step "fetch" failed and the replan budget (2) is spent: HTTP 503' },
    ],
    [
      'fails when no replans are allowed at all',
      { retryable: false, maxReplans: 0 },
      { type: 'fail', reason: 'Step "fetch" failed and the replan budget (0) is spent: HTTP 503' },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(defaultFailurePolicy({ ...base, ...overrides })).toEqual(expected);
  });
});
