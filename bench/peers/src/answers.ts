/**
 * What the scripted LangChain model answers, from the request alone, in the two protocols the
 * LangChain peers speak: native tool calls (LangGraph's tutorial: a structured-output tool for the
 * plan, the bound `work` tool, the replanner's `plan` / `response` tools) and the text ReAct format
 * of @langchain/classic (a numbered plan, then a JSON action blob per turn).
 */
import type { Role } from '../../side-by-side/ledger.ts';
import { doneMarker, firstStepNamed, WORK_TOOL, type World, type WorldStep } from '../../side-by-side/world.ts';

/** A tool call the model makes. */
export interface ToolCallAnswer {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** The model's answer to one request, with whom and which step it is counted for. */
export interface Answer {
  readonly role: Role;
  readonly step?: string | undefined;
  readonly content: string;
  readonly call?: ToolCallAnswer;
}

/** One request as the answer rules read it. */
export interface RequestView {
  /** The text of every message, in order. */
  readonly messages: readonly string[];
  /** The text of the last human message. */
  readonly lastHuman: string;
  /** The text of the tool results after the last human message, in order. */
  readonly observations: readonly string[];
  /** The names of the tools bound to the request. */
  readonly tools: readonly string[];
  /** The step the executor was last asked about in this run (the replanner's prompt names them all). */
  readonly lastExecutorStep: string | undefined;
}

/** What an executor says once it has seen the tool's observation. */
function stepReport(step: WorldStep, observation: string): string {
  const seen = observation.trim();
  return seen.includes(doneMarker(step.id)) ? `Completed ${step.id}. ${seen}` : `FAILED ${step.id}: ${seen || '(empty observation)'}`;
}

function namedStep(world: World, text: string): WorldStep {
  const step = firstStepNamed(world, text);
  if (!step) throw new Error(`scripted model: no step of the plan named in ${JSON.stringify(text.slice(0, 120))}`);
  return step;
}

/** Native tool calls: the replanner, the executor, or the planner's structured-output tool. */
function toolProtocolAnswer(world: World, request: RequestView): Answer | undefined {
  const { tools } = request;
  if (tools.includes('plan') && tools.includes('response')) {
    // Decides from its prompt, as a model would: a step is done when its result is quoted.
    const prompt = request.messages.join('\n');
    const left = world.steps.filter((step) => !prompt.includes(doneMarker(step.id)));
    const call = left.length
      ? { name: 'plan', args: { steps: left.map((step) => step.text) } }
      : { name: 'response', args: { response: `All ${world.steps.length} steps are done.` } };
    return { role: 'replanner', step: request.lastExecutorStep, content: '', call };
  }
  if (tools.includes(WORK_TOOL)) {
    const step = namedStep(world, request.lastHuman);
    const observation = request.observations.at(-1);
    return observation === undefined
      ? { role: 'executor', step: step.id, content: '', call: { name: WORK_TOOL, args: { step: step.text } } }
      : { role: 'executor', step: step.id, content: stepReport(step, observation) };
  }
  if (tools.length === 1) return { role: 'planner', content: '', call: { name: tools[0]!, args: { steps: world.steps.map((step) => step.text) } } };
  return undefined;
}

const OBJECTIVE = 'Current objective:';

/** The text ReAct protocol: classic's step executor, or its planner. */
function reactProtocolAnswer(world: World, request: RequestView): Answer | undefined {
  const prompt = request.messages.join('\n');
  const objectiveAt = prompt.lastIndexOf(OBJECTIVE);
  if (objectiveAt >= 0) {
    const tail = prompt.slice(objectiveAt);
    const step = namedStep(world, tail);
    const observation = /Observation: ?([\s\S]*?)\nThought:/.exec(tail)?.[1];
    const action =
      observation === undefined
        ? { action: WORK_TOOL, action_input: { step: step.text } }
        : { action: 'Final Answer', action_input: stepReport(step, observation) };
    return { role: 'executor', step: step.id, content: `\`\`\`json\n${JSON.stringify(action, null, 2)}\n\`\`\`` };
  }
  if (/devise a plan/i.test(prompt)) {
    const list = world.steps.map((step, index) => `${index + 1}. ${step.text}`).join('\n');
    return { role: 'planner', content: `Plan:\n${list}\n<END_OF_PLAN>` };
  }
  return undefined;
}

/** The answer to `request` in `world`; throws for a request neither protocol explains. */
export function answerFor(world: World, request: RequestView): Answer {
  const answer = toolProtocolAnswer(world, request) ?? reactProtocolAnswer(world, request);
  if (!answer) throw new Error(`scripted model: unrecognised request (tools: ${request.tools.join(', ') || 'none'})`);
  return answer;
}
