import { TEXT_OUTCOME_INSTRUCTION } from '../../../src/agents/text-outcome.ts';
import { dataBlocks, fitToFormat, lastResultOf, promptText, requestRole, stepOf } from './brain-reading.ts';
import type { Brain, BrainReply, BrainRequest } from './types.ts';

// A deterministic brain for the conformance task "write a file, then read it back and report its
// content". It plays every role from what the request says, in whichever structured-output mode
// the library uses: (a) a native response format (answers JSON with exactly the schema's fields),
// (b) JSON asked for in the prompt (answers JSON, fenced if asked), (c) a final-answer tool
// `report_step_outcome` among the tools (calls it to finish a step), (d) the executor's `text` mode:
// no response format and TEXT_OUTCOME_INSTRUCTION in the step prompt (answers the output as plain
// text, or `FAILED: <error>`; never JSON). Two model personas are options: a thinking model
// (reasoning before every answer) and a chatty one (prose around JSON it writes unconstrained).
// Both are MODEL behaviour; where reasoning ends up is the server's rule (types.ts BrainReply).

/** The file the task writes and reads. */
export const NOTE_PATH = 'note.txt';
/** What the task writes into it. */
export const NOTE_CONTENT = 'hello from the plan';
/** The task, as a conformance test gives it to the agent. */
export const NOTE_TASK = `Write the text "${NOTE_CONTENT}" to the file ${NOTE_PATH}, then read the file back and report its content.`;
/** The final-answer tool of mode (c); its arguments are the step outcome {success, output, error}. */
export const FINAL_ANSWER_TOOL = 'report_step_outcome';
/** The tools the executor uses (the keys of `createFileTools`). */
export const WRITE_TOOL = 'writeFile';
export const READ_TOOL = 'readFile';

/** What the thinking persona reasons before each answer. */
export const THINKING = 'The request asks for an answer in a given form. I will work out each part, then write it.';

/** JSON as the chatty persona writes it when nothing constrains it: prose before and after. */
export const chattyJson = (json: string) => `Here is the result:\n\n${json}\n\nLet me know if you need anything else.`;

/** Options of {@link createTaskBrain}. */
export interface TaskBrainOptions {
  /** JSON answered without a response format goes in a ```json fence. @default false */
  readonly fenceJson?: boolean;
  /**
   * When a step needs a tool but no tool call can get out (the server drops them):
   * `fabricate` claims success as a constrained model does (ollama/ollama#13750, "hallucinated JSON");
   * `admit` reports the step failed. @default 'fabricate'
   */
  readonly withoutTools?: 'fabricate' | 'admit';
  /** Model behaviour of a thinking model (qwen3, deepseek-r1): every answer comes with {@link THINKING} as its reasoning. @default false */
  readonly thinks?: boolean;
  /**
   * Model behaviour of chatty instruct models: JSON written with no response format comes wrapped
   * in prose ({@link chattyJson}). Never under a response format: a server's grammar allows none. @default false
   */
  readonly chatty?: boolean;
}

interface Outcome extends Record<string, unknown> {
  readonly success: boolean;
  readonly output: string;
  readonly error: string | null;
}

/** The plan: write, then read back; the tool hints name the tools the planner was told about. */
export function notePlan(prompt: string) {
  const hint = (tool: string) => (new RegExp(`\\b${tool}\\b`).test(prompt) ? tool : null);
  return {
    goal: `Write "${NOTE_CONTENT}" to ${NOTE_PATH}, read it back and report its content`,
    steps: [
      {
        id: 's1',
        description: `Write the text "${NOTE_CONTENT}" to the file ${NOTE_PATH}`,
        expectedOutput: `${NOTE_PATH} exists and holds the text`,
        dependsOn: [],
        toolHint: hint(WRITE_TOOL),
        // Executor steps: a strict model writes every field, the direct call's as null.
        tool: null,
        toolArgs: null,
      },
      {
        id: 's2',
        description: `Read the file ${NOTE_PATH} back and report its content`,
        expectedOutput: `The content of ${NOTE_PATH}`,
        dependsOn: ['s1'],
        toolHint: hint(READ_TOOL),
        tool: null,
        toolArgs: null,
      },
    ],
    rationale: 'The file must exist before it can be read back.',
  };
}

/** The brain. Throws (the server answers 500) for a request whose role it cannot tell. */
export function createTaskBrain({ fenceJson = false, withoutTools = 'fabricate', thinks = false, chatty = false }: TaskBrainOptions = {}): Brain {
  const json = (request: BrainRequest, value: Record<string, unknown>): BrainReply => {
    const text = JSON.stringify(fitToFormat(value, request.responseFormat));
    if (request.responseFormat) return { content: text };
    const fenced = fenceJson ? `\`\`\`json\n${text}\n\`\`\`` : text;
    return { content: chatty ? chattyJson(fenced) : fenced };
  };
  const answer = roleAnswer(json, withoutTools);
  return thinks ? (request) => ({ ...answer(request), reasoning: THINKING }) : answer;
}

function roleAnswer(json: (request: BrainRequest, value: Record<string, unknown>) => BrainReply, withoutTools: 'fabricate' | 'admit'): Brain {
  return (request) => {
    switch (requestRole(request)) {
      case 'planner':
        return json(request, notePlan(promptText(request)));
      case 'replanner':
        return json(request, { action: 'abort', steps: null, rationale: 'The task brain does not revise plans.' });
      case 'executor':
        return executorReply(request, withoutTools, (outcome) => (answersInText(request) ? { content: textOutcome(outcome) } : json(request, outcome)));
      case 'synthesizer':
        return { content: synthesis(promptText(request)) };
      default:
        throw new Error('task brain: cannot tell which role this request is for');
    }
  };
}

/** Mode (d): the step prompt asks for the text protocol (src/agents/text-outcome.ts) and no response format is set. */
function answersInText(request: BrainRequest): boolean {
  return request.responseFormat === null && promptText(request).includes(TEXT_OUTCOME_INSTRUCTION);
}

/** A step outcome as a model told TEXT_OUTCOME_INSTRUCTION writes it: the output as is, or `FAILED: <error>`. */
function textOutcome(outcome: Outcome): string {
  return outcome.success ? outcome.output : `FAILED: ${outcome.error}`;
}

function executorReply(request: BrainRequest, withoutTools: 'fabricate' | 'admit', answer: (outcome: Outcome) => BrainReply): BrainReply {
  const finish = (outcome: Outcome): BrainReply => {
    const finalTool = request.toolCallsAllowed && request.tools.some((tool) => tool.name === FINAL_ANSWER_TOOL);
    const reported = lastResultOf(request, FINAL_ANSWER_TOOL) !== undefined;
    return finalTool && !reported ? { toolCalls: [{ name: FINAL_ANSWER_TOOL, arguments: outcome }] } : answer(outcome);
  };
  const description = stepOf(request)?.description ?? '';
  const kind = /\bread\b/i.test(description) ? READ_TOOL : /\b(write|save|create)\b/i.test(description) ? WRITE_TOOL : null;
  if (!kind) return finish({ success: true, output: `Done: ${description}`, error: null });
  const result = lastResultOf(request, kind);
  if (result !== undefined) return finish(outcomeOf(kind, result));
  const offered = request.tools.some((tool) => tool.name === kind);
  if (offered && request.toolCallsAllowed) {
    const args = kind === WRITE_TOOL ? { path: NOTE_PATH, content: NOTE_CONTENT } : { path: NOTE_PATH };
    return { toolCalls: [{ name: kind, arguments: args }] };
  }
  if (offered && withoutTools === 'fabricate')
    return finish(
      kind === WRITE_TOOL
        ? { success: true, output: `Wrote "${NOTE_CONTENT}" to ${NOTE_PATH}.`, error: null }
        : { success: true, output: NOTE_CONTENT, error: null },
    );
  return finish({
    success: false,
    output: '',
    error: `The ${kind} tool is not available, so ${NOTE_PATH} could not be ${kind === WRITE_TOOL ? 'written' : 'read'}.`,
  });
}

/** The step outcome a tool result supports: the workspace tools answer `{ ok, … }` or `{ ok: false, error }`. */
function outcomeOf(tool: string, result: unknown): Outcome {
  const value = (typeof result === 'object' && result !== null ? result : {}) as { ok?: boolean; error?: string; content?: string; bytes?: number };
  if (value.ok === false) return { success: false, output: '', error: value.error ?? `${tool} failed` };
  if (tool === READ_TOOL) return { success: true, output: typeof value.content === 'string' ? value.content : String(result), error: null };
  return { success: true, output: `Wrote ${value.bytes ?? NOTE_CONTENT.length} bytes to ${NOTE_PATH}.`, error: null };
}

/** The final answer: the last step result quoted in the prompt. */
function synthesis(prompt: string): string {
  const results = dataBlocks(prompt).filter((block) => block.source !== 'task');
  const last = results.at(-1);
  return last ? `The file ${NOTE_PATH} contains: ${last.content}` : 'No step produced output.';
}
