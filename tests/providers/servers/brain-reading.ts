import type { BrainMessage, BrainRequest, ResponseFormat } from './types.ts';

// Reading a model request the way a model would: which role asks (from the prompt texts of
// src/agents/prompts.ts, the roles' instructions, or the fields asked for), the step, the tool
// results so far, the <data> blocks. Kept apart from brain.ts so other brains can reuse it.

/** The role a request comes from. */
export type RequestRole = 'planner' | 'replanner' | 'executor' | 'synthesizer';

// First lines of planPrompt, replanPrompt, stepPrompt and synthesisPrompt (src/agents/prompts.ts).
const PROMPT_MARKERS: ReadonlyArray<readonly [RegExp, RequestRole]> = [
  [/Make a plan for this task/, 'planner'],
  [/A step of the plan failed/, 'replanner'],
  [/Your step \([^)]*\):/, 'executor'],
  [/Write the final answer to the task/, 'synthesizer'],
];

/** The text of the last user message: the prompt of the call (tool turns come after it). */
export function promptText(request: BrainRequest): string {
  return request.messages.findLast((message) => message.role === 'user')?.content ?? '';
}

/** The role of `request`, from the prompt, else the system instructions, else the fields asked for; null when none tells. */
export function requestRole(request: BrainRequest): RequestRole | null {
  const prompt = promptText(request);
  for (const [marker, role] of PROMPT_MARKERS) if (marker.test(prompt)) return role;
  const system = request.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n');
  const named = /You are the (planner|executor|synthesizer)\b/.exec(system)?.[1] as RequestRole | undefined;
  const fields = askedFields(request);
  if (named === 'planner' && fields.includes('action')) return 'replanner';
  if (named) return named;
  if (fields.includes('action')) return 'replanner';
  if (fields.includes('goal') && fields.includes('steps')) return 'planner';
  if (fields.includes('success') && fields.includes('output')) return 'executor';
  return null;
}

/** Field names asked for: the response format's properties, else the `"name":` keys of JSON in the prompt. */
export function askedFields(request: BrainRequest): string[] {
  const schema = request.responseFormat?.type === 'json_schema' ? request.responseFormat.schema : null;
  const properties = schema?.properties;
  if (properties && typeof properties === 'object') return Object.keys(properties);
  return [...promptText(request).matchAll(/"(\w+)"\s*:/g)].map((match) => match[1]!);
}

/** The executor's step: its id and description, from `Your step (<id>):` and the `step` data block after it, up to its expected output (src/agents/prompts.ts). */
export function stepOf(request: BrainRequest): { id: string; description: string } | null {
  const match = /Your step \(([^)]*)\):\s*<data source="step">\n([\s\S]*?)\nExpected output: /.exec(promptText(request));
  return match ? { id: match[1]!, description: match[2]!.trim() } : null;
}

/** The tool results of the conversation, oldest first. */
export function toolResults(request: BrainRequest): BrainMessage[] {
  return request.messages.filter((message) => message.role === 'tool');
}

/** The last result of tool `name`, parsed as JSON when it is JSON; undefined when the tool has not answered. */
export function lastResultOf(request: BrainRequest, name: string): unknown {
  const result = toolResults(request).findLast((message) => message.toolName === name);
  if (!result) return undefined;
  try {
    return JSON.parse(result.content);
  } catch {
    return result.content;
  }
}

/** The `<data source="…">…</data>` blocks of `text` (see quoteData in src/agents/prompts.ts). */
export function dataBlocks(text: string): Array<{ source: string; content: string }> {
  return [...text.matchAll(/<data source="([^"]*)">\n([\s\S]*?)\n<\/data>/g)].map((match) => ({ source: match[1]!, content: match[2]! }));
}

/** `value` shaped for `format`: for a json_schema with properties, exactly those keys in order (missing ones null). */
export function fitToFormat(value: Record<string, unknown>, format: ResponseFormat | null): Record<string, unknown> {
  const properties = format?.type === 'json_schema' ? format.schema.properties : undefined;
  if (!properties || typeof properties !== 'object') return value;
  return Object.fromEntries(Object.keys(properties).map((key) => [key, value[key] ?? null]));
}
