/**
 * @langchain/classic's PlanAndExecuteAgentExecutor as its documentation uses it:
 * `fromLLMAndTools({ llm, tools })`. Its design (experimental/plan_and_execute): one numbered text
 * plan, then a StructuredChatAgent per step whose prompt carries every earlier step and result as
 * JSON; no replanner; the final answer is the last step's output.
 */
import { PlanAndExecuteAgentExecutor } from '@langchain/classic/experimental/plan_and_execute';
import type { Peer } from '../../side-by-side/peer.ts';
import { ScriptedChatModel } from './chat-model.ts';
import { packageVersions } from './versions.ts';
import { workTool } from './work-tool.ts';

/** The classic executor as a peer. */
export const classicPeer: Peer = {
  id: 'classic',
  label: '@langchain/classic PlanAndExecuteAgentExecutor',
  versions: packageVersions(['@langchain/classic', '@langchain/core']),
  async prepare({ world, ledger, latencyMs, toolMs }) {
    const llm = new ScriptedChatModel(world, ledger, latencyMs);
    // One executor per run: it keeps its list of done steps across invoke() calls, so a second
    // run would start with the first run's steps in its prompts.
    const executor = await PlanAndExecuteAgentExecutor.fromLLMAndTools({ llm, tools: [workTool(world, ledger, toolMs)] });
    return async (task) => String((await executor.invoke({ input: task })).output ?? '');
  },
};
