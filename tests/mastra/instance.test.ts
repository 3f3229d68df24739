import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutorAgent } from '../../src/agents/executor.ts';
import { createPlannerAgent } from '../../src/agents/planner.ts';
import { createSynthesizerAgent } from '../../src/agents/synthesizer.ts';
import { isPlanExecuteError } from '../../src/engine/errors.ts';
import { createPlanExecuteWorkflow } from '../../src/mastra/workflows/plan-execute-workflow.ts';
import { planRunResultOf } from '../../src/mastra/workflows/run-ended-error.ts';
import { agentRoleModel, UNCONFIGURED_PROVIDER } from '../../src/models.ts';

const dir = mkdtempSync(join(tmpdir(), 'pe-instance-'));
const saved = { ...process.env };
let mastra: typeof import('../../src/mastra/index.ts')['mastra'];

beforeAll(async () => {
  process.env.MASTRA_DB_URL = `file:${join(dir, 'mastra.db')}`;
  process.env.PLAN_EXECUTE_WORKSPACE = join(dir, 'workspace');
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  ({ mastra } = await import('../../src/mastra/index.ts'));
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('the Mastra instance', () => {
  it('registers the three role agents and both workflows', () => {
    expect(Object.keys(mastra.listAgents()).sort()).toEqual(['executor', 'planner', 'synthesizer']);
    expect(Object.keys(mastra.listWorkflows()).sort()).toEqual(['planExecute', 'releaseChecklist']);
  });

  it.each([
    ['1.4.2', 'succeeded', false, ['build', 'smoke', 'deploy', 'verify']],
    ['1.4.3', 'succeeded', true, ['build', 'smoke', 'fix', 'smoke', 'deploy', 'verify']],
  ])('runs the offline release workflow for %s to %s without any model key', async (version, status, replanned, kinds) => {
    const run = await mastra.getWorkflow('releaseChecklist').createRun();
    const response = await run.start({ inputData: { version, env: 'staging' } });
    expect(response.status).toBe('success');
    const result = (response as { result: ReleaseResult }).result;
    expect([result.status, result.replanned, result.results.map((entry) => entry.kind)]).toEqual([status, replanned, kinds]);
  });

  it('ends the aborted release 1.5.0 as a failed workflow whose error carries the release result', async () => {
    const run = await mastra.getWorkflow('releaseChecklist').createRun();
    const response = await run.start({ inputData: { version: '1.5.0', env: 'staging' } });
    expect(response.status).toBe('failed');
    const error = (response as unknown as { error: { code: string; status: string; output: ReleaseResult } }).error;
    expect([error.code, error.status, error.output.status, error.output.replanned]).toEqual(['RUN_ABORTED', 'aborted', 'aborted', true]);
    expect(error.output.results.map((entry) => entry.kind)).toEqual(['build', 'smoke', 'deploy', 'verify']);
  });

  it('explains what to set when a model-backed agent is used without a key', async () => {
    await expect(mastra.getAgent('planner').generate('hello')).rejects.toThrow(NO_PLANNER_MODEL);
  });

  it('ends a Plan & Execute run without a key as a failed workflow with MODEL_NOT_CONFIGURED', async () => {
    const run = await mastra.getWorkflow('planExecute').createRun();
    const response = await run.start({ inputData: { task: 'Write a haiku' } });
    expect(response.status).toBe('failed');
    expect((response as unknown as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'MODEL_NOT_CONFIGURED',
      message: NO_PLANNER_MODEL,
    });
    const result = planRunResultOf(response);
    expect([result?.status, result?.error?.code]).toEqual(['failed', 'MODEL_NOT_CONFIGURED']);
  });
});

// What the Studio's chat shows is the run's error chunk as JSON: an error raised while Mastra
// resolves the model never reaches it (the chat showed `{}`), one raised by the model call does.
describe('agentRoleModel without a key', () => {
  // Registered in a silent Mastra: a lone Agent logs the failed stream to the console.
  const agent = new Mastra({
    agents: { planner: new Agent({ id: 'planner', name: 'Planner', instructions: 'Plan.', model: () => agentRoleModel('planner', {}) }) },
    logger: false,
  }).getAgent('planner');

  it('is a stand-in model named after the role whose generate rejects with the MissingModelError', async () => {
    const model = agentRoleModel('planner', { PLANNER_MODEL: 'llama3.2' }) as unknown as { provider: string; modelId: string };
    expect([model.provider, model.modelId]).toEqual([UNCONFIGURED_PROVIDER, 'llama3.2']);
    const error = await agent.generate('hello').catch((caught: unknown) => caught);
    expect(isPlanExecuteError(error, 'MODEL_NOT_CONFIGURED')).toBe(true);
    expect((error as Error).message).toBe(NO_PLANNER_MODEL);
  });

  it('reports the error in the stream as a chunk whose JSON carries the message and the code', async () => {
    const stream = await agent.stream('hello');
    const errors: unknown[] = [];
    for await (const chunk of stream.fullStream as AsyncIterable<{ type: string; payload?: { error?: unknown } }>) {
      if (chunk.type === 'error') errors.push(JSON.parse(JSON.stringify(chunk.payload?.error)));
    }
    expect(errors).toEqual([expect.objectContaining({ name: 'MissingModelError', code: 'MODEL_NOT_CONFIGURED', message: NO_PLANNER_MODEL })]);
  });

  it('ends a Plan & Execute run failed with MODEL_NOT_CONFIGURED and the message, as the error thrown at resolution did', async () => {
    const roles = {
      planner: createPlannerAgent({ model: () => agentRoleModel('planner', {}) }),
      executor: createExecutorAgent({ model: () => agentRoleModel('executor', {}) }),
      synthesizer: createSynthesizerAgent({ model: () => agentRoleModel('synthesizer', {}) }),
    };
    const app = new Mastra({ workflows: { planExecute: createPlanExecuteWorkflow(roles) }, logger: false });
    const response = await (await app.getWorkflow('planExecute').createRun()).start({ inputData: { task: 'Write a haiku' } });
    expect(response.status).toBe('failed');
    expect(planRunResultOf(response)?.error).toEqual({ code: 'MODEL_NOT_CONFIGURED', message: NO_PLANNER_MODEL });
  });

  it('is the configured model as soon as OPENAI_BASE_URL is set', () => {
    const model = agentRoleModel('executor', { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', EXECUTOR_MODEL: 'qwen3' }) as unknown as {
      provider: string;
      modelId: string;
    };
    expect([model.provider, model.modelId]).toEqual(['openai.chat', 'qwen3']);
  });
});

const NO_PLANNER_MODEL =
  'No model configured for the planner: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).';

/** The parts of the release workflow's output read here. */
interface ReleaseResult {
  readonly status: string;
  readonly replanned: boolean;
  readonly results: ReadonlyArray<{ readonly kind: string }>;
}
