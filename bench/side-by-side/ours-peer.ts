import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import type { ExecutorOutputMode, PlannerOutputMode } from '../../src/agents/output-mode.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { oursModel } from './ours-model.ts';
import type { Peer } from './peer.ts';
import { doWork, WORK_DESCRIPTION, WORK_STEP_DESCRIPTION, WORK_TOOL } from './world.ts';

/** How this project's roles are asked for structured answers in the bench. */
export type OursOutputMode = 'native' | 'prompt' | 'tool';

const require = createRequire(import.meta.url);
const versionOf = (packageJson: string) => (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

/** The modes of planner and executor for one bench mode (a planner has no `tool` mode: it asks in the prompt). */
function roleModes(mode: OursOutputMode): { planner: PlannerOutputMode; executor: ExecutorOutputMode } {
  return { planner: mode === 'tool' ? 'prompt' : mode, executor: mode };
}

/**
 * This project as a peer: `new PlanAndExecute({ planner, executor, synthesizer, tools: { work },
 * concurrency: 4 })` on the bench's scripted models, structured answers in `mode`
 * (`native`, what OpenAI's own API gets, by default).
 */
export function oursPeer(mode: OursOutputMode = 'native'): Peer {
  return {
    id: 'ours',
    label: `mastra-plan-execute (this checkout; structured output: ${mode})`,
    versions: {
      'mastra-plan-execute': versionOf(new URL('../../package.json', import.meta.url).pathname),
      '@mastra/core': versionOf(require.resolve('@mastra/core/package.json')),
    },
    async prepare({ world, ledger, latencyMs, toolMs }) {
      const context = { world, ledger, latencyMs };
      const work = createTool({
        id: WORK_TOOL,
        description: WORK_DESCRIPTION,
        inputSchema: z.object({ step: z.string().describe(WORK_STEP_DESCRIPTION) }),
        execute: async ({ step }) => doWork(world, ledger, step, toolMs),
      });
      const agent = new PlanAndExecute({
        planner: oursModel('planner', context),
        executor: oursModel('executor', context),
        synthesizer: oursModel('synthesizer', context),
        tools: { [WORK_TOOL]: work },
        concurrency: 4,
        maxPlanSteps: Math.max(10, world.steps.length),
        maxReplans: 2,
        structuredOutput: roleModes(mode),
      });
      return async (task) => {
        const result = await agent.run(task);
        if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message ?? 'no error'}`);
        return String(result.finalOutput ?? '');
      };
    },
  };
}
