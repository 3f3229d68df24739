import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { Ledger } from '../../side-by-side/ledger.ts';
import { doWork, WORK_DESCRIPTION, WORK_STEP_DESCRIPTION, WORK_TOOL, type World } from '../../side-by-side/world.ts';

/** The world's `work` tool as a LangChain tool. */
export function workTool(world: World, ledger: Ledger, toolMs: number) {
  return tool(async ({ step }: { step: string }) => doWork(world, ledger, step, toolMs), {
    name: WORK_TOOL,
    description: WORK_DESCRIPTION,
    schema: z.object({ step: z.string().describe(WORK_STEP_DESCRIPTION) }),
  });
}
