import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closedLoopbackAddress, startUnauthorizedServer, type StandInServer } from '../providers/servers/index.ts';
import { normalise, runCli, runMain } from './helpers/run-cli.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

const API_KEY = 'sk-test-0123456789abcdef';
/** The one line for OpenAI's 401, which echoes the key masked (tests/providers/servers/openai-errors.ts). */
const REFUSED =
  "error: the model server refused the planner's request (MODEL_REQUEST_REJECTED): HTTP 401 Incorrect API key provided: sk-test-************cdef. " +
  'You can find your API key at https://platform.openai.com/account/api-keys. (check OPENAI_API_KEY)\n';

/** Runs `run "Greet me"` against `baseUrl`: in this process through main(), or `spawned` (the 401 case keeps the process path). */
async function runWith(baseUrl: string, args: string[] = [], { spawned = false } = {}) {
  const workspace = realpathSync(makeTempDir('plan-execute-run-errors-'));
  const run = spawned ? runCli : runMain;
  const outcome = await run(['run', 'Greet me', '--workspace', workspace, ...args], { env: { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: API_KEY } });
  return { ...outcome, stdout: normalise(outcome.stdout, workspace) };
}

describe('plan-execute run when the model server says no', { timeout: 60_000 }, () => {
  it('a 401 ends the run after exactly one request: one error line, no summary, exit 76', async () => {
    server = await startUnauthorizedServer();
    const outcome = await runWith(server.baseURL, [], { spawned: true });
    expect(outcome).toEqual({
      code: 76,
      signal: null,
      stdout: 'executor tools: readFile, writeFile, listFiles in <workspace>\nrun <id>: Greet me\nrun failed: MODEL_REQUEST_REJECTED\n',
      stderr: REFUSED,
    });
    expect(server.requests.map((request) => [request.path, request.status])).toEqual([['/v1/chat/completions', 401]]);
  });

  it('with --json, prints the result with the error on stdout and the same line on stderr', async () => {
    server = await startUnauthorizedServer();
    const { code, stdout, stderr } = await runWith(server.baseURL, ['--json']);
    const result = JSON.parse(stdout);
    expect([code, stderr]).toEqual([76, REFUSED]);
    expect([result.status, result.error.code, result.steps]).toEqual(['failed', 'MODEL_REQUEST_REJECTED', []]);
    expect(server.requests).toHaveLength(1);
  });

  it('nobody listening: one line naming the URL, exit 69', async () => {
    const { baseURL } = await closedLoopbackAddress();
    const { code, stdout, stderr } = await runWith(baseURL);
    expect(code).toBe(69);
    expect(stdout).toBe('executor tools: readFile, writeFile, listFiles in <workspace>\nrun <id>: Greet me\nrun failed: MODEL_UNAVAILABLE\n');
    expect(stderr).toBe(
      `error: the model server at ${baseURL} cannot be reached (MODEL_UNAVAILABLE): connect ECONNREFUSED ${baseURL.slice('http://'.length, -'/v1'.length)}\n`,
    );
  });
});
