import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { Observability, TestExporter } from '@mastra/observability';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import { ModelRequestRejectedError, isPlanExecuteError } from '../../src/engine/errors.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import { createRedactor, isSecretName, REDACTED, secretsFromEnv } from '../../src/engine/redact.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { createRedactingSpanProcessor } from '../../src/mastra/tracing.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { modelsFromEnv } from '../../src/models.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, scriptPlan, text, toolCall } from '../../src/testing/index.ts';
import { succeed } from '../helpers/agent-fixtures.ts';
import { httpErrorReply, jsonReply, startOpenAIStub, textReply, toolCallReply, type OpenAIStub } from '../helpers/openai-stub-server.ts';

const SECRET = 'sk-live-0123456789abcdef';
const EXTRA = 'internal-project-codename';

/** Everything reachable from a value as text, Errors included (message, stack, cause, own fields). */
function dump(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    if (seen.has(item)) return '[cycle]';
    seen.add(item);
    if (!(item instanceof Error)) return item;
    return Object.fromEntries(Reflect.ownKeys(item).map((key) => [String(key), (item as unknown as Record<PropertyKey, unknown>)[key]]));
  });
}

describe('createRedactor', () => {
  it.each([
    ['OPENAI_API_KEY', true],
    ['GITHUB_TOKEN', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['DB_PASSWORD', true],
    ['MY_PASSWORD_FILE', true],
    ['HOME', false],
    ['KEYBOARD_LAYOUT', false],
    ['PLANNER_MODEL', false],
    ['DB_PWD', true],
    // The shell's working directory, not a password: redacting it shredded every path under it.
    ['PWD', false],
    ['OLDPWD', false],
  ])('treats %s as secret: %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });

  it('takes secret-named values of 8 characters or more and passwords inside URLs from the environment', () => {
    const env = { OPENAI_API_KEY: SECRET, DEBUG_TOKEN: 'short', HOME: '/home/me', DATABASE_URL: 'postgres://app:pa%24%24word-long@db/app' };
    expect(secretsFromEnv(env)).toEqual([SECRET, 'pa%24%24word-long', 'pa$$word-long']);
  });

  it('redacts a URL password and a secret query parameter in the form the text shows: percent-encoded, decoded, `+` as a space in a query', () => {
    const env = {
      DATABASE_URL: 'postgres://app:S3cret%2Fpass%40word@db:5432/app',
      HOOK: 'https://hooks.example.com/in?token=tok+en%2F12345&page=12345678&api_key=abc=defghijk',
      BROKEN: 'https://u:bad%zz-escape-1@host/',
    };
    expect(secretsFromEnv(env)).toEqual(['S3cret%2Fpass%40word', 'S3cret/pass@word', 'tok+en%2F12345', 'tok en/12345', 'abc=defghijk', 'bad%zz-escape-1']);
    const redact = createRedactor({ env });
    expect(redact(`DATABASE_URL=${env.DATABASE_URL}; connect failed for app:S3cret/pass@word`)).toBe(
      `DATABASE_URL=postgres://app:${REDACTED}@db:5432/app; connect failed for app:${REDACTED}`,
    );
    expect(redact(env.HOOK)).toBe(`https://hooks.example.com/in?token=${REDACTED}&page=12345678&api_key=${REDACTED}`);
  });

  it('replaces every secret at any depth, longest first, and leaves the input unchanged', () => {
    const redact = createRedactor({ env: { SERVICE_KEY: SECRET }, extra: [EXTRA, `${SECRET}-suffix`] });
    const input = { list: [`a ${SECRET}-suffix b`, { deep: `${EXTRA}!` }], count: 3, none: null };
    expect(redact(input)).toEqual({ list: [`a ${REDACTED} b`, { deep: `${REDACTED}!` }], count: 3, none: null });
    expect(input.list[0]).toBe(`a ${SECRET}-suffix b`);
  });

  it('copies an error with its class and code, and redacts its message, fields, stack and cause', () => {
    const redact = createRedactor({ extra: [SECRET] });
    const error = new ModelRequestRejectedError('planner', 401, `bad key ${SECRET}`, { cause: new Error(`body: ${SECRET}`) });
    const copy = redact(error);
    expect(isPlanExecuteError(copy, 'MODEL_REQUEST_REJECTED')).toBe(true);
    expect(copy.providerMessage).toBe(`bad key ${REDACTED}`);
    expect(copy.message).toBe(`The model server refused the planner's request (HTTP 401): bad key ${REDACTED}`);
    expect(dump(copy)).not.toContain(SECRET);
    expect(error.providerMessage).toBe(`bad key ${SECRET}`);
  });

  it('returns values as they are when there is no secret', () => {
    const value = { a: ['x'] };
    expect(createRedactor({ env: { HOME: '/home/me' } })(value)).toBe(value);
  });
});

describe('secrets in a run', () => {
  let stub: OpenAIStub | null = null;
  let logged: unknown[][] = [];

  beforeEach(() => {
    vi.stubEnv('PLAN_EXECUTE_TEST_API_KEY', SECRET);
    logged = [];
    for (const method of ['error', 'warn', 'log', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await stub?.close();
    stub = null;
  });

  const leak = createTool({ id: 'leak', description: 'Reads the key', inputSchema: z.object({}), execute: async () => ({ key: SECRET, note: EXTRA }) });

  async function runOnStub(script: Parameters<typeof startOpenAIStub>[0]) {
    stub = await startOpenAIStub(script);
    const store = new InMemoryRunStore();
    const models = modelsFromEnv({ OPENAI_BASE_URL: `${stub.url}/v1`, OPENAI_API_KEY: 'sk-test' });
    const agent = new PlanAndExecute({ ...models, tools: { leak }, store, redact: [EXTRA] });
    const events: PlanRunEvent[] = [];
    const result = await agent.run('Report on the service', { onEvent: (event) => void events.push(event), runId: 'run-1' });
    return { result, events, stored: await store.load('run-1') };
  }

  it('a key in a tool output and in the step output reaches no event, result, stored record or log', async () => {
    const plan = {
      goal: 'Report',
      steps: [{ id: 's1', description: 'Read the key', expectedOutput: 'The key', dependsOn: [], toolHint: 'leak' }],
      rationale: null,
    };
    const { result, events, stored } = await runOnStub([
      jsonReply(plan),
      toolCallReply('leak', {}),
      toolCallReply('report_step_outcome', { success: true, output: `The key is ${SECRET}; codename ${EXTRA}`, error: null }),
      textReply(`Done: ${SECRET}`),
    ]);

    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe(`Done: ${REDACTED}`);
    expect(result.plan[0]!.output).toBe(`The key is ${REDACTED}; codename ${REDACTED}`);
    for (const written of [dump(result), dump(events), dump(stored), dump(logged)]) expect(written).not.toContain(SECRET);
    expect(dump(events)).not.toContain(EXTRA);
  });

  it('a key in a provider error reaches no event, result, stored record or log', async () => {
    const { result, events, stored } = await runOnStub([httpErrorReply(401, `Incorrect API key provided: ${SECRET} (project ${EXTRA})`)]);

    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_REQUEST_REJECTED');
    expect(result.error?.message).toContain(`(project ${REDACTED})`);
    const finished = events.at(-1) as Extract<PlanRunEvent, { type: 'run-finished' }>;
    expect(isPlanExecuteError(finished.error, 'MODEL_REQUEST_REJECTED')).toBe(true);
    for (const written of [dump(result), dump(events), dump(stored), dump(logged)]) {
      expect(written).not.toContain(SECRET);
      expect(written).not.toContain(EXTRA);
    }
  });

  it('a key in a tool output reaches no trace span, Mastra’s own spans included, with the redacting processor', async () => {
    const exporter = new TestExporter();
    const plan = {
      goal: 'Report',
      steps: [{ id: 's1', description: 'Read the key', expectedOutput: 'The key', dependsOn: [], toolHint: 'leak' }],
      rationale: null,
    };
    const planner = createPlannerAgent({ model: createScriptedModel([scriptPlan(plan)]) });
    const executor = createExecutorAgent({ model: createScriptedModel([toolCall('leak', {}), succeed(`The key is ${SECRET}`)]), tools: { leak } });
    const synthesizer = createSynthesizerAgent({ model: createScriptedModel([text(`Done: ${SECRET}`)]) });
    const mastra = new Mastra({
      workflows: { planExecute: createPlanExecuteWorkflow({ planner, executor, synthesizer }) },
      logger: false,
      observability: new Observability({
        configs: { default: { serviceName: 'test', exporters: [exporter], spanOutputProcessors: [createRedactingSpanProcessor()] } },
      }),
    });
    const run = await mastra.getWorkflow('planExecute').createRun();
    const outcome = await run.start({ inputData: { task: 'Report' } });

    expect(outcome.status).toBe('success');
    const spans = exporter.getAllSpans();
    expect(spans.some((span) => span.name === 'plan-execute.step s1')).toBe(true);
    expect(dump(spans)).toContain(REDACTED);
    expect(dump(spans)).not.toContain(SECRET);
    expect(dump(logged)).not.toContain(SECRET);
  });
});
