import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import type { ExecutorOutputMode, PlannerOutputMode } from '../../src/agents/output-mode.ts';
import type { PlanCache } from '../../src/engine/plan-cache.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { oursModel } from './ours-model.ts';
import type { Peer, PeerRunSetup } from './peer.ts';
import { doWork, WORK_DESCRIPTION, WORK_INPUT_DESCRIPTION, WORK_STEP_DESCRIPTION, WORK_TOOL } from './world.ts';

/** How this project's roles are asked for structured answers in the bench. */
export type OursOutputMode = 'native' | 'prompt' | 'tool' | 'text';

const require = createRequire(import.meta.url);
const versionOf = (packageJson: string) => (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

/** Variants of this project's peer beyond the output mode. */
export interface OursPeerOptions {
  /**
   * The planner writes every step as a direct step (`tool: "work"`, `toolArgs` with a `$ref` to the
   * step before), and `work` takes an optional `input` for that reference. @default false
   */
  readonly direct?: boolean;
  /** A plan cache shared by every run the peer prepares. @default none */
  readonly planCache?: PlanCache;
  /** The planner writes its plan over this many ms, one step at a time (see OursModelContext). @default none */
  readonly planStreamMs?: number;
  /** Runs with `streamPlan`: steps start while the plan is written. @default false */
  readonly streamPlan?: boolean;
}

/**
 * The modes of planner and executor for one bench mode, always explicit: `auto` would pick from the
 * model provider, and the scripted models answer whatever mode they are asked in but the bench
 * compares one mode at a time (a planner has no `tool` mode: it asks in the prompt; nor a `text`
 * mode: it stays on `native`, what OpenAI's API gets).
 */
function roleModes(mode: OursOutputMode): { planner: PlannerOutputMode; executor: ExecutorOutputMode } {
  const planner = { tool: 'prompt', text: 'native' } as const;
  return { planner: mode === 'tool' || mode === 'text' ? planner[mode] : mode, executor: mode };
}

/** The world's `work` tool; with `direct`, it also takes the `input` a direct step's `$ref` fills in. */
function workTool(setup: PeerRunSetup, direct: boolean) {
  const { world, ledger, toolMs } = setup;
  const step = z.string().describe(WORK_STEP_DESCRIPTION);
  const execute = async ({ step, input }: { step: string; input?: string | undefined }) => doWork(world, ledger, step, toolMs, input);
  const inputSchema = direct ? z.object({ step, input: z.string().optional().describe(WORK_INPUT_DESCRIPTION) }) : z.object({ step });
  return createTool({ id: WORK_TOOL, description: WORK_DESCRIPTION, inputSchema, execute });
}

/**
 * This project as a peer: `new PlanAndExecute({ planner, executor, synthesizer, tools: { work },
 * concurrency: 4 })` on the bench's scripted models, structured answers in `mode` for both roles
 * (`native`, what OpenAI's own API gets, by default); `options` make its plans direct or share a plan cache.
 */
export function oursPeer(mode: OursOutputMode = 'native', { direct = false, planCache, planStreamMs, streamPlan = false }: OursPeerOptions = {}): Peer {
  return {
    id: 'ours',
    label: `mastra-plan-execute (this checkout; structured output: ${mode}${direct ? '; direct steps' : ''})`,
    versions: {
      'mastra-plan-execute': versionOf(new URL('../../package.json', import.meta.url).pathname),
      '@mastra/core': versionOf(require.resolve('@mastra/core/package.json')),
    },
    async prepare(setup) {
      const { world, ledger, latencyMs } = setup;
      const context = { world, ledger, latencyMs, direct, ...(planStreamMs === undefined ? {} : { planStreamMs }) };
      const agent = new PlanAndExecute({
        planner: oursModel('planner', context),
        executor: oursModel('executor', context),
        synthesizer: oursModel('synthesizer', context),
        tools: { [WORK_TOOL]: workTool(setup, direct) },
        concurrency: 4,
        maxPlanSteps: Math.max(10, world.steps.length),
        maxReplans: 2,
        structuredOutput: roleModes(mode),
        streamPlan,
        ...(planCache === undefined ? {} : { planCache }),
      });
      return async (task) => {
        const result = await agent.run(task);
        if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message ?? 'no error'}`);
        return String(result.finalOutput ?? '');
      };
    },
  };
}
