import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MastraClient } from '@mastra/client-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';
import { planRunResultOf } from '../../src/mastra/workflows/run-ended-error.ts';
import {
  httpErrorReply,
  jsonReply,
  startOpenAIStub,
  textReply,
  toolCallReply,
  type OpenAIStub,
  type RecordedRequest,
  type StubReply,
} from '../helpers/openai-stub-server.ts';
import { liveGroupMembers, startDevServer, type DevServer } from './dev-server.ts';
import { FINAL_OUTPUT, NOTE, NOTE_PLAN, NOTE_TASK, storedRunIds, systemRole, type ReleaseOutput } from './playground-fixtures.ts';
import { describeStudioChecks } from './studio-checks.ts';
import { findChromium } from './studio-browser.ts';

/** Per client test: one HTTP round trip, but the first ones meet a freshly started server on a loaded machine. */
const CLIENT_TEST_TIMEOUT = 60_000;

// One `mastra dev` for the whole file: it bundles into the project's .mastra/ and holds a
// per-project lock, so two servers (one per test file) cannot run side by side.
const PORT = 4111;
const MODELS = { PLANNER_MODEL: 'stub-planner', EXECUTOR_MODEL: 'stub-executor', SYNTHESIZER_MODEL: 'stub-synthesizer' };
const API_KEY = 'sk-playground';

let tmp = '';
let stub: OpenAIStub;
let server: DevServer;
let client: MastraClient;
/** Keep the temp folder (database, workspace, screenshots) after the run: PLAYGROUND_KEEP=1, or a Studio failure. */
let keepTmp = Boolean(process.env.PLAYGROUND_KEEP);

/** The stub's replies, in order: each test queues its own and checks that all were used. */
const replies: StubReply[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'playground-'));
  stub = await startOpenAIStub(() => replies.shift() ?? httpErrorReply(500, 'playground test: no reply queued for this request'));
  server = await startDevServer({
    port: PORT,
    env: {
      MASTRA_TELEMETRY_DISABLED: '1',
      MASTRA_DB_URL: `file:${join(tmp, 'mastra.db')}`,
      PLAN_EXECUTE_WORKSPACE: join(tmp, 'workspace'),
      OPENAI_BASE_URL: `${stub.url}/v1`,
      OPENAI_API_KEY: API_KEY,
      ...MODELS,
    },
  });
  // No retries: a failed POST start-async must fail the test, not start a second run.
  client = new MastraClient({ baseUrl: server.url, retries: 0 });
  console.info(`playground: npm run dev answered 200 after ${(server.readyAfterMs / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  const pgid = server?.pid;
  await server?.stop();
  await stub?.close();
  if (pgid) expect(liveGroupMembers(pgid)).toEqual([]);
  if (keepTmp) console.info(`playground: kept ${tmp}`);
  else if (tmp) await rm(tmp, { recursive: true, force: true });
}, 30_000);

const userText = (request: RecordedRequest) => String(request.body.messages?.find((message) => message.role === 'user')?.content);
const toolNames = (request: RecordedRequest) => request.body.tools?.map((tool) => tool.function.name) ?? null;
/** Checks the kinds of the release's steps, the ones that failed and the replanner's decisions. */
function expectReleaseSteps(release: ReleaseOutput, expected: { kinds: string; failed: string[]; decisions: string[] }): void {
  expect(release.results.map((step) => step.kind).join(' ')).toBe(expected.kinds);
  expect(release.results.filter((step) => !step.success).map((step) => step.stepId)).toEqual(expected.failed);
  expect(release.decisions.map((decision) => decision.action)).toEqual(expected.decisions);
}
const schemaOf = async (workflow: string) =>
  (await client.getWorkflow(workflow).getSchema()).inputSchema as {
    properties: Record<string, { description?: string; enum?: string[] }>;
    required?: string[];
  };

describe('the dev server through @mastra/client-js', () => {
  beforeEach(() => void (replies.length = 0));

  it(
    'lists exactly the three role agents, with the models the environment names',
    async () => {
      const agents = await client.listAgents();
      expect(
        Object.entries(agents)
          .map(([key, { name, provider, modelId }]) => [key, name, provider, modelId])
          .sort(),
      ).toEqual([
        ['executor', 'Executor', 'openai.chat', 'stub-executor'],
        ['planner', 'Planner', 'openai.chat', 'stub-planner'],
        ['synthesizer', 'Synthesizer', 'openai.chat', 'stub-synthesizer'],
      ]);
      expect(Object.keys(agents.executor!.tools).sort()).toEqual(['listFiles', 'readFile', 'runCommand', 'writeFile']);
    },
    CLIENT_TEST_TIMEOUT,
  );

  it(
    'lists exactly the two workflows, whose input schemas carry the field descriptions',
    async () => {
      const workflows = await client.listWorkflows();
      expect(Object.keys(workflows).sort()).toEqual(['planExecute', 'releaseChecklist']);
      expect([workflows.planExecute!.name, workflows.releaseChecklist!.name]).toEqual(['plan-execute', 'release-checklist']);

      const planExecute = await schemaOf('planExecute');
      expect(Object.keys(planExecute.properties)).toEqual([
        'task',
        'requireApproval',
        'maxReplans',
        'maxRetries',
        'maxPlanSteps',
        'maxStepIterations',
        'concurrency',
      ]);
      expect(planExecute.required).toEqual(['task']);
      expect(planExecute.properties.task!.description).toBe('The task to plan and execute');

      const release = await schemaOf('releaseChecklist');
      expect(Object.keys(release.properties)).toEqual(['version', 'env', 'services']);
      expect(release.required).toEqual(['version', 'env']);
      expect(release.properties.env!.enum).toEqual(['staging', 'production']);
      expect(release.properties.version!.description).toMatch(/^The version to release: 1\.4\.2 \(green\)/);
    },
    CLIENT_TEST_TIMEOUT,
  );

  it.each([
    { version: '1.4.2', replanned: false, kinds: 'build smoke deploy verify', failed: [], decisions: [] },
    { version: '1.4.3', replanned: true, kinds: 'build smoke fix smoke deploy verify', failed: ['smoke-web'], decisions: ['insert_fix'] },
  ])(
    'runs release $version to "succeeded" without a model',
    async ({ version, replanned, kinds, failed, decisions }) => {
      const requestsBefore = stub.requests.length;
      const run = await client.getWorkflow('releaseChecklist').createRun();
      const response = await run.startAsync({ inputData: { version, env: 'staging' } });

      expect(response.status).toBe('success');
      const result = (response as { result: ReleaseOutput }).result;
      expect([result.status, result.replanned, result.run.status]).toEqual(['succeeded', replanned, 'completed']);
      expectReleaseSteps(result, { kinds, failed, decisions });
      expect(stub.requests.length).toBe(requestsBefore);
      expect((await client.getWorkflow('releaseChecklist').runById(run.runId)).status).toBe('success');
      expect(await storedRunIds(join(tmp, 'mastra.db'), 'release-checklist')).toContain(run.runId);
    },
    CLIENT_TEST_TIMEOUT,
  );

  // An aborted release did not release: the workflow fails, its error carries the release result.
  it(
    'ends release 1.5.0, aborted by the replanner, as a failed workflow without a model',
    async () => {
      const requestsBefore = stub.requests.length;
      const run = await client.getWorkflow('releaseChecklist').createRun();
      const response = await run.startAsync({ inputData: { version: '1.5.0', env: 'staging' } });

      expect(response.status).toBe('failed');
      const error = (response as unknown as { error: { code: string; status: string; output: ReleaseOutput } }).error;
      expect([error.code, error.status, error.output.status, error.output.replanned, error.output.run.status]).toEqual([
        'RUN_ABORTED',
        'aborted',
        'aborted',
        true,
        'aborted',
      ]);
      expectReleaseSteps(error.output, { kinds: 'build smoke deploy verify', failed: ['verify-web'], decisions: ['abort'] });
      expect(stub.requests.length).toBe(requestsBefore);
      expect((await client.getWorkflow('releaseChecklist').runById(run.runId)).status).toBe('failed');
      expect(await storedRunIds(join(tmp, 'mastra.db'), 'release-checklist')).toContain(run.runId);
    },
    CLIENT_TEST_TIMEOUT,
  );

  // The Studio form sends `services: []` for an untouched list: it means the default service.
  it(
    'runs a release whose services list is empty, as the Studio form sends it, for the default service',
    async () => {
      const run = await client.getWorkflow('releaseChecklist').createRun();
      const response = await run.startAsync({ inputData: { version: '1.4.2', env: 'staging', services: [] } });
      expect(response.status).toBe('success');
      const result = (response as unknown as { result: { status: string; results: { stepId: string }[] } }).result;
      expect([result.status, result.results.map((step) => step.stepId)]).toEqual(['succeeded', ['build', 'smoke-web', 'deploy-web', 'verify-web']]);
    },
    CLIENT_TEST_TIMEOUT,
  );

  it(
    'suspends a Plan & Execute run with its plan, and completes it once approved',
    async () => {
      const requestsBefore = stub.requests.length;
      replies.push(
        jsonReply(NOTE_PLAN),
        toolCallReply('writeFile', { path: 'notes.txt', content: NOTE }),
        jsonReply({ success: true, output: 'notes.txt written', error: null }),
        textReply(FINAL_OUTPUT),
      );
      const run = await client.getWorkflow('planExecute').createRun();

      const suspended = await run.startAsync({ inputData: { task: NOTE_TASK, requireApproval: true } });
      expect(suspended.status).toBe('suspended');
      expect((suspended as { suspended?: unknown }).suspended).toEqual([['approve']]);
      expect(suspended.steps.approve?.suspendPayload).toEqual({ plan: NOTE_PLAN });
      expect(stub.requests.slice(requestsBefore).map(systemRole)).toEqual(['planner']);

      const resumed = await run.resumeAsync({ step: 'approve', resumeData: { approved: true } });
      expect(resumed.status).toBe('success');
      const result = (resumed as { result: PlanRunResult }).result;
      expect(result).toMatchObject({ runId: run.runId, status: 'completed', task: NOTE_TASK, finalOutput: FINAL_OUTPUT, error: null, replanned: false });
      expect(result.plan.map(({ id, status, output }) => [id, status, output])).toEqual([['note', 'done', 'notes.txt written']]);
      expect(result.steps.map(({ stepId, status, toolCalls }) => [stepId, status, toolCalls])).toEqual([['note', 'done', 1]]);
      // The executor's tool wrote into PLAN_EXECUTE_WORKSPACE.
      expect(await readFile(join(tmp, 'workspace', 'notes.txt'), 'utf8')).toBe(NOTE);
      expect(await storedRunIds(join(tmp, 'mastra.db'), 'plan-execute')).toContain(run.runId);

      expect(replies).toEqual([]);
      const requests = stub.requests.slice(requestsBefore);
      expect(requests.map((request) => [request.path, request.headers.authorization, systemRole(request), request.body.model])).toEqual([
        ['/v1/chat/completions', `Bearer ${API_KEY}`, 'planner', 'stub-planner'],
        ['/v1/chat/completions', `Bearer ${API_KEY}`, 'executor', 'stub-executor'],
        ['/v1/chat/completions', `Bearer ${API_KEY}`, 'executor', 'stub-executor'],
        ['/v1/chat/completions', `Bearer ${API_KEY}`, 'synthesizer', 'stub-synthesizer'],
      ]);
      const [planRequest, toolRequest, outcomeRequest, synthesisRequest] = requests as [RecordedRequest, RecordedRequest, RecordedRequest, RecordedRequest];
      // A loopback OpenAI-compatible server is not OpenAI: `auto` asks the planner for JSON in the
      // prompt and gives the executor a final-answer tool, so no request carries a response_format.
      expect(requests.map((request) => request.body.response_format)).toEqual([undefined, undefined, undefined, undefined]);
      expect(userText(planRequest)).toContain('Answer with exactly one JSON object and nothing else');
      expect(userText(planRequest)).toContain(`<data source="task">\n${NOTE_TASK}\n</data>`);
      expect(toolNames(toolRequest)).toEqual(['readFile', 'writeFile', 'listFiles', 'runCommand', 'report_step_outcome']);
      expect(userText(toolRequest)).toContain('Your step (note):\n<data source="step">\nWrite the release note to notes.txt\nExpected output: ');
      expect(outcomeRequest.body.messages!.at(-1)).toMatchObject({ role: 'tool', tool_call_id: `call_${toolRequest.index}_0` });
      expect(JSON.parse(String(outcomeRequest.body.messages!.at(-1)!.content))).toMatchObject({ ok: true, path: 'notes.txt' });
      expect(userText(synthesisRequest)).toContain('<data source="note: Write the release note to notes.txt">\nnotes.txt written\n</data>');
    },
    CLIENT_TEST_TIMEOUT,
  );

  it(
    'ends a Plan & Execute run "rejected" (a failed workflow) when the plan is not approved, running nothing',
    async () => {
      const requestsBefore = stub.requests.length;
      replies.push(jsonReply(NOTE_PLAN));
      const run = await client.getWorkflow('planExecute').createRun();

      expect((await run.startAsync({ inputData: { task: NOTE_TASK, requireApproval: true } })).status).toBe('suspended');
      const resumed = await run.resumeAsync({ step: 'approve', resumeData: { approved: false } });

      // A rejected plan ran nothing: the workflow fails, its error carries the run's result.
      expect(resumed.status).toBe('failed');
      expect((resumed as unknown as { error: unknown }).error).toMatchObject({ code: 'PLAN_REJECTED', status: 'rejected', runId: run.runId });
      const result = planRunResultOf(resumed as never) as PlanRunResult;
      expect(result).toMatchObject({ runId: run.runId, status: 'rejected', finalOutput: '', error: { code: 'PLAN_REJECTED' } });
      expect(result.steps).toEqual([]);
      expect(replies).toEqual([]);
      expect(stub.requests.slice(requestsBefore).map(systemRole)).toEqual(['planner']);
    },
    CLIENT_TEST_TIMEOUT,
  );
});

describeStudioChecks(findChromium(), {
  server: () => server,
  client: () => client,
  stub: () => stub,
  replies,
  tmp: () => tmp,
  keep: () => void (keepTmp = true),
});
