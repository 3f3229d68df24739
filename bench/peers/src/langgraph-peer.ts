/**
 * LangGraph.js's plan-and-execute design (its tutorial, examples/plan-and-execute): a StateGraph
 * planner → agent → replan → (agent | END). The planner asks for `{ steps: string[] }` through
 * `withStructuredOutput`; the agent node runs the prebuilt `createReactAgent` on `plan[0]` alone;
 * the replanner calls a `plan` tool (the steps still to do) or a `response` tool (the answer),
 * reading every past step and result; `pastSteps` only grows.
 */
import { HumanMessage } from '@langchain/core/messages';
import { JsonOutputToolsParser } from '@langchain/core/output_parsers/openai_tools';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { tool } from '@langchain/core/tools';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import type { Peer } from '../../side-by-side/peer.ts';
import { ScriptedChatModel } from './chat-model.ts';
import { packageVersions } from './versions.ts';
import { workTool } from './work-tool.ts';

const PlanSchema = z.object({ steps: z.array(z.string()).describe('the steps to follow, in order') });

// The tutorial's prompts, reworded with the same content and about the same length (so the same tokens).
const PLANNING_RULES = `For the objective below, come up with a simple plan of steps. Each step should be an \
individual task that, if carried out correctly, leads to the correct answer. Do not add superfluous steps. \
The result of the final step should be the final answer. Make sure each step has all the information it needs - do not skip steps.`;

const PLANNER_PROMPT = `${PLANNING_RULES}

{objective}`;

const REPLANNER_PROMPT = `${PLANNING_RULES}

Your objective was this:
{input}

Your original plan was this:
{plan}

You have done these steps so far:
{pastSteps}

Update the plan accordingly. If no more steps are needed and you can give the user the answer, respond with it \
using the 'response' function. Otherwise fill out the plan with only the steps that still need to be done; \
do not return steps already done as part of the plan.`;

const State = Annotation.Root({
  input: Annotation<string>({ reducer: (current, update) => update ?? current ?? '' }),
  plan: Annotation<string[]>({ reducer: (current, update) => update ?? current ?? [] }),
  pastSteps: Annotation<[string, string][]>({ reducer: (current, update) => current.concat(update), default: () => [] }),
  response: Annotation<string | undefined>({ reducer: (current, update) => update ?? current }),
});
type PlanExecuteState = typeof State.State;

/** The graph of one run on `model` with `tools`. */
function buildGraph(model: ScriptedChatModel, tools: ReturnType<typeof workTool>[]) {
  const planner = ChatPromptTemplate.fromTemplate(PLANNER_PROMPT).pipe(model.withStructuredOutput(PlanSchema));
  const responseTool = tool(() => '', {
    name: 'response',
    description: 'Respond to the user with the answer.',
    schema: z.object({ response: z.string().describe('the answer') }),
  });
  const planTool = tool(() => '', { name: 'plan', description: 'The plan to follow from here.', schema: PlanSchema });
  const replanner = ChatPromptTemplate.fromTemplate(REPLANNER_PROMPT)
    .pipe(model.bindTools([planTool, responseTool]))
    .pipe(new JsonOutputToolsParser<{ type: string; args: { response?: string; steps?: string[] } }[]>());
  const agent = createReactAgent({ llm: model, tools });

  return new StateGraph(State)
    .addNode('planner', async (state: PlanExecuteState) => ({ plan: (await planner.invoke({ objective: state.input })).steps }))
    .addNode('agent', async (state: PlanExecuteState, config) => {
      const [task, ...rest] = state.plan;
      const { messages } = await agent.invoke({ messages: [new HumanMessage(task ?? '')] }, config);
      return { pastSteps: [[task ?? '', String(messages.at(-1)?.content ?? '')]] as [string, string][], plan: rest };
    })
    .addNode('replan', async (state: PlanExecuteState) => {
      const [first] = await replanner.invoke({
        input: state.input,
        plan: state.plan.join('\n'),
        pastSteps: state.pastSteps.map(([step, result]) => `${step}: ${result}`).join('\n'),
      });
      return first?.type === 'response' ? { response: first.args.response ?? '' } : { plan: first?.args.steps ?? [] };
    })
    .addEdge(START, 'planner')
    .addEdge('planner', 'agent')
    .addEdge('agent', 'replan')
    .addConditionalEdges('replan', (state: PlanExecuteState) => (state.response ? 'end' : 'continue'), { end: END, continue: 'agent' })
    .compile();
}

/** LangGraph's plan-and-execute design as a peer. */
export const langgraphPeer: Peer = {
  id: 'langgraph',
  label: 'LangGraph.js plan-and-execute (tutorial design)',
  versions: packageVersions(['@langchain/langgraph', '@langchain/core']),
  async prepare({ world, ledger, latencyMs, toolMs }) {
    const graph = buildGraph(new ScriptedChatModel(world, ledger, latencyMs), [workTool(world, ledger, toolMs)]);
    // The tutorial's recursionLimit is 50; the default 25 stops plans longer than 11 steps,
    // and a step takes about 4 supersteps here.
    const recursionLimit = Math.max(50, 4 * world.steps.length + 10);
    return async (task) => (await graph.invoke({ input: task }, { recursionLimit })).response ?? '';
  },
};
