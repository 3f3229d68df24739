import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { planRunResultOf } from '../../src/mastra/workflows/run-ended-error.ts';
import { freePort, liveGroupMembers, startServerProcess, type DevServer } from './dev-server.ts';
import { storedRunIds } from './playground-fixtures.ts';
import { buildServer } from './server-build.ts';
import { findChromium, launchLoopbackBrowser, type LoopbackBrowser } from './studio-browser.ts';
import { startPlanExecuteFromStudio, stepStatus } from './studio-flows.ts';

// One `npm run build:server` (with the Studio) for the whole file, then `node index.mjs` in its
// output on a free port, as the README says to run it in production. No model variables: the
// release workflow needs none, and the rest shows what a user without a key sees.
const CLIENT_TEST_TIMEOUT = 60_000;
const NO_PLANNER_MODEL =
  'No model configured for the planner: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).';

let tmp = '';
let server: DevServer;
let client: MastraClient;
/** Keep the temp folder (build, database, screenshot) after the run: PLAYGROUND_KEEP=1, or a Studio failure. */
let keepTmp = Boolean(process.env.PLAYGROUND_KEEP);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'built-server-'));
  const build = await buildServer({ rootDir: join(tmp, 'root'), studio: true });
  console.info(`built-server: npm run build:server took ${(build.durationMs / 1000).toFixed(1)} s`);
  server = await startServerProcess({
    command: [process.execPath, 'index.mjs'],
    cwd: build.outputDir,
    port: await freePort(),
    readyTimeoutMs: 60_000,
    env: {
      MASTRA_TELEMETRY_DISABLED: '1',
      MASTRA_DB_URL: `file:${join(tmp, 'mastra.db')}`,
      PLAN_EXECUTE_WORKSPACE: join(tmp, 'workspace'),
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
    },
  });
  console.info(`built-server: node index.mjs answered 200 after ${(server.readyAfterMs / 1000).toFixed(1)} s`);
  client = new MastraClient({ baseUrl: server.url, retries: 0 });
}, 540_000);

afterAll(async () => {
  const pgid = server?.pid;
  await server?.stop();
  if (pgid) expect(liveGroupMembers(pgid)).toEqual([]);
  if (keepTmp) console.info(`built-server: kept ${tmp}`);
  else if (tmp) await rm(tmp, { recursive: true, force: true });
}, 60_000);

describe('the built server through @mastra/client-js', () => {
  it(
    'serves the two workflows and the three agents',
    async () => {
      expect(Object.keys(await client.listWorkflows()).sort()).toEqual(['planExecute', 'releaseChecklist']);
      expect(Object.keys(await client.listAgents()).sort()).toEqual(['executor', 'planner', 'synthesizer']);
    },
    CLIENT_TEST_TIMEOUT,
  );

  it(
    'runs release 1.4.3 to its replanned success and stores the run in MASTRA_DB_URL',
    async () => {
      const run = await client.getWorkflow('releaseChecklist').createRun();
      const response = await run.startAsync({ inputData: { version: '1.4.3', env: 'staging' } });

      expect(response.status).toBe('success');
      const result = (response as { result: ReleaseOutput }).result;
      expect([result.status, result.replanned, result.run.status, result.run.error]).toEqual(['succeeded', true, 'completed', null]);
      expect(result.results.map(({ stepId, kind, targetService, success }) => [stepId, kind, targetService, success])).toEqual([
        ['build', 'build', null, true],
        ['smoke-web', 'smoke', 'web', false],
        ['fix-web', 'fix', 'web', true],
        ['smoke-web', 'smoke', 'web', true],
        ['deploy-web', 'deploy', 'web', true],
        ['verify-web', 'verify', 'web', true],
      ]);
      expect(result.decisions.map((decision) => decision.action)).toEqual(['insert_fix']);
      expect((await client.getWorkflow('releaseChecklist').runById(run.runId)).status).toBe('success');
      expect(await storedRunIds(join(tmp, 'mastra.db'), 'release-checklist')).toEqual([run.runId]);
    },
    CLIENT_TEST_TIMEOUT,
  );

  it(
    'ends a Plan & Execute run without a model as a failed workflow that names the variables to set',
    async () => {
      const run = await client.getWorkflow('planExecute').createRun();
      const response = await run.startAsync({ inputData: { task: 'Write a haiku' } });

      expect(response.status).toBe('failed');
      expect((response as unknown as { error: unknown }).error).toMatchObject({ code: 'MODEL_NOT_CONFIGURED', status: 'failed', message: NO_PLANNER_MODEL });
      const result = planRunResultOf(response as never) as PlanRunResult;
      expect([result.runId, result.status, result.error?.code]).toEqual([run.runId, 'failed', 'MODEL_NOT_CONFIGURED']);
      expect((await client.getWorkflow('planExecute').runById(run.runId)).status).toBe('failed');
    },
    CLIENT_TEST_TIMEOUT,
  );
});

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('the Studio of the built server in headless Chromium, without a model', () => {
  let studio: LoopbackBrowser;
  let page: Page;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    studio = await launchLoopbackBrowser(chromiumPath!, { origin: server.url });
    page = await studio.context.newPage();
    page.setDefaultTimeout(45_000);
    page.on('response', (response) => void (response.status() >= 500 && serverErrors.push(`${response.status()} ${response.url()}`)));
  }, 60_000);
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    keepTmp = true;
    await page.screenshot({ path: join(tmp, 'studio-failure.png') }).catch(() => {});
    console.error(`built-server: the page at the failure is ${join(tmp, 'studio-failure.png')}`);
  });
  afterAll(async () => {
    await studio?.browser.close();
  });

  it('shows a Plan & Execute run without a model as failed, with the message', async () => {
    await startPlanExecuteFromStudio(page, server.url, 'Write a haiku');
    await page.getByText(/^workflow failed$/i).waitFor();
    await page.getByText(`plan: ${NO_PLANNER_MODEL}`, { exact: true }).waitFor();
    expect(await stepStatus(page, 'plan')).toBe('failed');
    expect(await page.getByText('Success', { exact: true }).count()).toBe(0);
    expect(serverErrors).toEqual([]);
  }, 120_000);

  it('shows the chat of an agent without a model the message naming the variables to set', async () => {
    await page.goto(`${server.url}/agents/planner`);
    const message = page.getByPlaceholder('Enter your message...');
    await message.fill('hello');
    await message.press('Enter');
    await page.getByText(NO_PLANNER_MODEL, { exact: true }).waitFor();
    // One error message with the text, not the empty `{}` boxes of an error lost on the way.
    expect(await page.getByText('{}', { exact: true }).count()).toBe(0);
    expect(serverErrors).toEqual([]);
  }, 120_000);
});

/** The parts of the release workflow's output these tests read. */
interface ReleaseOutput {
  readonly status: string;
  readonly replanned: boolean;
  readonly results: ReadonlyArray<{ readonly stepId: string; readonly kind: string; readonly targetService: string | null; readonly success: boolean }>;
  readonly decisions: ReadonlyArray<{ readonly action: string }>;
  readonly run: PlanRunResult;
}
