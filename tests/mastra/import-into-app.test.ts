import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { LibSQLStore } from '@mastra/libsql';
import {
  createExecutorAgent,
  createPlanExecuteWorkflow,
  createPlannerAgent,
  createSynthesizerAgent,
  LibSQLRunStore,
  type PlanRunResult,
} from 'mastra-plan-execute';
import { createScriptedModel, scriptPlan, scriptStepOutcome, text, toolCall } from 'mastra-plan-execute/testing';
// The release checklist is an example, not part of the package's entry: an app takes it from the example's folder.
import { createReleaseWorkflow } from '../../src/examples/release-checklist/index.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const dir = mkdtempSync(join(tmpdir(), 'pe-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importing the package into another Mastra app', () => {
  it('registers the factories in a new Mastra instance and runs both workflows there', async () => {
    const url = `file:${join(dir, 'app.db')}`;
    const lookups: string[] = [];
    const lookup = createTool({
      id: 'lookup',
      description: 'Looks up a word in the glossary',
      inputSchema: z.object({ word: z.string() }),
      outputSchema: z.object({ meaning: z.string() }),
      execute: async ({ word }) => (lookups.push(word), { meaning: `${word} means small` }),
    });
    const step = { id: 'define', description: 'Define "tiny"', expectedOutput: 'a definition', dependsOn: [], toolHint: 'lookup' };
    const app = new Mastra({
      agents: {},
      workflows: {
        research: createPlanExecuteWorkflow({
          id: 'research',
          planner: createPlannerAgent({ id: 'app-planner', model: createScriptedModel([scriptPlan({ goal: 'Define tiny', steps: [step], rationale: null })]) }),
          executor: createExecutorAgent({
            id: 'app-executor',
            model: createScriptedModel([toolCall('lookup', { word: 'tiny' }), scriptStepOutcome({ success: true, output: 'tiny means small', error: null })]),
            tools: { lookup },
          }),
          synthesizer: createSynthesizerAgent({ id: 'app-synthesizer', model: createScriptedModel([text('Tiny means small.')]) }),
          store: new LibSQLRunStore({ url }),
        }),
        release: createReleaseWorkflow({ id: 'app-release' }),
      },
      storage: new LibSQLStore({ id: 'app', url }),
      logger: false,
    });

    const run = await app.getWorkflow('research').createRun();
    const suspended = await run.start({ inputData: { task: 'What does tiny mean?', requireApproval: true } });
    expect(suspended.status).toBe('suspended');
    const done = await run.resume({ step: 'approve', resumeData: { approved: true } });
    const result = (done as { result: PlanRunResult }).result;
    expect([result.status, result.finalOutput, lookups]).toEqual(['completed', 'Tiny means small.', ['tiny']]);
    expect((await app.getWorkflow('research').getWorkflowRunById(run.runId))?.status).toBe('success');

    const release = await (await app.getWorkflow('release').createRun()).start({ inputData: { version: '1.4.2', env: 'production' } });
    expect((release as { result: { status: string } }).result.status).toBe('succeeded');
  });
});
