/**
 * How the bench reads one AI SDK (LanguageModelV4) request of this project: its text by the token
 * rule, the tools it offers, the response schema it carries, and which step an executor call is on.
 */
import type { ModelCallOptions, ModelPrompt } from '../../src/testing/model-protocol.ts';
import type { Ledger } from './ledger.ts';
import { type RequestText, type ToolDefinition, toolCallText } from './tokens.ts';
import { firstStepNamed, WORK_TOOL, type World, type WorldStep } from './world.ts';

type Message = ModelPrompt[number];
type Part = Exclude<Message['content'], string>[number];

/** A tool result's output as text: the string as is, anything else as JSON. */
function outputText(output: unknown): string {
  const value = (output as { value?: unknown } | undefined)?.value ?? output;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The counted text of one message part. */
function partText(part: Part): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text;
    case 'tool-call':
      return toolCallText(part.toolName, typeof part.input === 'string' ? JSON.parse(part.input) : part.input);
    case 'tool-result':
      return outputText(part.output);
    default:
      return '';
  }
}

/** The counted texts of one message. */
const messageParts = (message: Message): string[] => (typeof message.content === 'string' ? [message.content] : message.content.map(partText));

/** The tools a request offers, as the token rule counts them. */
export function offeredTools(options: ModelCallOptions): ToolDefinition[] {
  return (options.tools ?? []).flatMap((tool) =>
    tool.type === 'function' ? [{ name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema }] : [],
  );
}

/** The JSON schema of the request's response format, if any. */
export function responseSchema(options: ModelCallOptions): Record<string, unknown> | undefined {
  return options.responseFormat?.type === 'json' ? (options.responseFormat.schema as Record<string, unknown> | undefined) : undefined;
}

/** The request as the token rule sees it. */
export function requestText(options: ModelCallOptions): RequestText {
  const schema = responseSchema(options);
  return { parts: options.prompt.flatMap(messageParts), tools: offeredTools(options), ...(schema === undefined ? {} : { responseSchema: schema }) };
}

/** The text of the last user message. */
export function lastUserText(prompt: ModelPrompt): string {
  const message = prompt.findLast((candidate) => candidate.role === 'user');
  return message ? messageParts(message).join('\n') : '';
}

/** The tool results of the request, newest last. */
export function toolResults(prompt: ModelPrompt): string[] {
  return prompt.flatMap((message) =>
    message.role === 'tool' ? message.content.flatMap((part) => (part.type === 'tool-result' ? [outputText(part.output)] : [])) : [],
  );
}

/** The `step` argument of the request's last `work` call, if it made one. */
function lastWorkCall(prompt: ModelPrompt): string | undefined {
  const calls = prompt.flatMap((message) =>
    message.role === 'assistant' && typeof message.content !== 'string'
      ? message.content.filter((part) => part.type === 'tool-call' && part.toolName === WORK_TOOL)
      : [],
  );
  const input = (calls.at(-1) as { input?: unknown } | undefined)?.input;
  const args = typeof input === 'string' ? (JSON.parse(input) as { step?: unknown }) : (input as { step?: unknown } | undefined);
  return typeof args?.step === 'string' ? args.step : undefined;
}

/**
 * The step an executor request is about: the one its `work` call named, once it made one; before
 * that, the first step whose text the request quotes and whose work is not done yet (the outputs
 * of the steps it depends on are quoted too, and those are done). Independent of prompt wording.
 */
export function executorStep(world: World, ledger: Ledger, prompt: ModelPrompt): WorldStep {
  const called = lastWorkCall(prompt);
  const step = called === undefined ? undefined : firstStepNamed(world, called);
  if (step) return step;
  const text = lastUserText(prompt);
  const pending = world.steps.find((candidate) => text.includes(candidate.text) && !ledger.isDone(candidate.id));
  if (!pending) throw new Error(`bench executor: no pending step quoted in ${JSON.stringify(text.slice(0, 160))}`);
  return pending;
}

const PLANNED_ARGUMENTS = /<data source="arguments">\n(\{.*\})\n<\/data>/s;

/**
 * The arguments of the planned call an executor request hands over (a direct step whose call
 * failed: the engine quotes them in a `<data source="arguments">` block), or undefined.
 */
export function plannedArguments(prompt: ModelPrompt): Record<string, unknown> | undefined {
  const quoted = PLANNED_ARGUMENTS.exec(lastUserText(prompt))?.[1];
  if (quoted === undefined) return undefined;
  try {
    return JSON.parse(quoted) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
