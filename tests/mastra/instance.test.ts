import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../src/engine/result.ts';

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
    ['1.5.0', 'aborted', true, ['build', 'smoke', 'deploy', 'verify']],
  ])('runs the offline release workflow for %s to %s without any model key', async (version, status, replanned, kinds) => {
    const run = await mastra.getWorkflow('releaseChecklist').createRun();
    const response = await run.start({ inputData: { version, env: 'staging' } });
    expect(response.status).toBe('success');
    const result = (response as { result: { status: string; replanned: boolean; results: { kind: string }[] } }).result;
    expect([result.status, result.replanned, result.results.map((entry) => entry.kind)]).toEqual([status, replanned, kinds]);
  });

  it('explains what to set when a model-backed agent is used without a key', async () => {
    await expect(mastra.getAgent('planner').generate('hello')).rejects.toThrow(
      'No model configured for the planner: set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL to use an OpenAI-compatible server (Ollama, vLLM, llama.cpp).',
    );
  });

  it('ends a Plan & Execute run failed with MODEL_NOT_CONFIGURED without a key', async () => {
    const run = await mastra.getWorkflow('planExecute').createRun();
    const response = await run.start({ inputData: { task: 'Write a haiku' } });
    const result = (response as { result: PlanRunResult }).result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_NOT_CONFIGURED');
  });
});
