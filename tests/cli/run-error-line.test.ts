import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForRun } from '../../src/cli/exit-codes.ts';
import { runEndingErrorLine } from '../../src/cli/output/run-error-line.ts';
import { ModelCallFailedError, ModelRequestRejectedError, ModelUnavailableError, StepFailedError } from '../../src/engine/errors.ts';

describe('runEndingErrorLine', () => {
  it.each([
    [
      'a bad key',
      new ModelRequestRejectedError('planner', 401, 'Incorrect API key provided: sk-abc***xyz.'),
      "error: the model server refused the planner's request (MODEL_REQUEST_REJECTED): HTTP 401 Incorrect API key provided: sk-abc***xyz. (check OPENAI_API_KEY)",
    ],
    [
      'an unknown model',
      new ModelRequestRejectedError('executor', 404, 'model "llama9" not found, try pulling it first'),
      'error: the model server refused the executor\'s request (MODEL_REQUEST_REJECTED): HTTP 404 model "llama9" not found, try pulling it first (check EXECUTOR_MODEL and OPENAI_BASE_URL)',
    ],
    [
      'a parameter the server does not support, said over several lines',
      new ModelRequestRejectedError('replanner', 400, "'response_format.type' must be\n  'json_schema' or 'text'"),
      "error: the model server refused the replanner's request (MODEL_REQUEST_REJECTED): HTTP 400 'response_format.type' must be 'json_schema' or 'text'",
    ],
    [
      'a server nobody listens on',
      new ModelUnavailableError('planner', 'http://127.0.0.1:9/v1', 'connect ECONNREFUSED 127.0.0.1:9'),
      'error: the model server at http://127.0.0.1:9/v1 cannot be reached (MODEL_UNAVAILABLE): connect ECONNREFUSED 127.0.0.1:9',
    ],
    [
      'an unknown base URL',
      new ModelUnavailableError('synthesizer', null, 'getaddrinfo ENOTFOUND api.example'),
      'error: the model server cannot be reached (MODEL_UNAVAILABLE): getaddrinfo ENOTFOUND api.example',
    ],
  ])('says in one line what happened: %s', (_what, error, line) => {
    expect(runEndingErrorLine(error, { code: error.code, message: error.message })).toBe(line);
  });

  it('cuts a long provider message (an HTML error page) to 300 characters', () => {
    const line = runEndingErrorLine(new ModelRequestRejectedError('planner', 403, `<html>${'x'.repeat(1000)}</html>`), null);
    expect(line).toBe(
      `error: the model server refused the planner's request (MODEL_REQUEST_REJECTED): HTTP 403 <html>${'x'.repeat(293)}… (check OPENAI_API_KEY)`,
    );
  });

  it("falls back on the result's plain error when the error object is missing", () => {
    expect(runEndingErrorLine(null, { code: 'MODEL_UNAVAILABLE', message: 'Cannot reach the model server for the planner: fetch failed' })).toBe(
      'error: Cannot reach the model server for the planner: fetch failed (MODEL_UNAVAILABLE)',
    );
  });

  it.each([
    ['a failed step', new StepFailedError('write', 'disk full')],
    ['a transient failure', new ModelCallFailedError('planner', 503, null, 'Service Unavailable')],
    ['no error', null],
  ])('is null for %s', (_what, error) => {
    expect(runEndingErrorLine(error, error ? { code: error.code, message: error.message } : null)).toBeNull();
  });
});

describe('exitCodeForRun', () => {
  it.each([
    ['completed', null, 0],
    ['failed', 'STEP_FAILED', 1],
    ['aborted', 'BUDGET_EXCEEDED', 2],
    ['failed', 'MODEL_UNAVAILABLE', 69],
    ['failed', 'MODEL_REQUEST_REJECTED', 76],
    ['cancelled', 'RUN_CANCELLED', 130],
  ] as const)('%s with %s exits %i', (status, code, exitCode) => {
    expect(exitCodeForRun({ status, error: code ? { code } : null })).toBe(exitCode);
  });

  it('gives each code its own number', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
