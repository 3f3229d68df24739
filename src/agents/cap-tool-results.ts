import type { ToolsInput } from '@mastra/core/agent';
import type { DynamicArgument } from '@mastra/core/types';
import { cutText } from '../engine/cut-text.ts';

/** The longest tool result a model is shown, in characters of its JSON (32 KiB); the rest is cut with a marker. */
export const DEFAULT_MAX_TOOL_RESULT_CHARS = 32_768;

type ToolModelOutput = (output: unknown) => unknown;

/**
 * What the model is shown of one tool result: nothing changed (undefined) when it fits in
 * `maxChars`, otherwise its text (a string as it is, anything else as JSON) cut to `maxChars`
 * with a marker saying how much was cut. The tool's caller still gets the whole result.
 */
export function modelOutputWithin(output: unknown, maxChars: number): { type: 'text'; value: string } | undefined {
  if (output === undefined || output === null) return undefined;
  const shown = output as { type?: unknown; value?: unknown };
  // An output already mapped for the model (by the tool's own toModelOutput).
  if (shown.type === 'text' && typeof shown.value === 'string')
    return shown.value.length > maxChars ? { type: 'text', value: cutText(shown.value, maxChars) } : undefined;
  const text = typeof output === 'string' ? output : safeJson(output);
  return text.length > maxChars ? { type: 'text', value: cutText(text, maxChars) } : undefined;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One tool whose results reach the model cut to `maxChars` (its own `toModelOutput` applied first). */
function capTool<T extends object>(tool: T, maxChars: number): T {
  const own = (tool as { toModelOutput?: ToolModelOutput }).toModelOutput;
  const toModelOutput = async (output: unknown) => {
    const mapped = own ? await own(output) : output;
    return modelOutputWithin(mapped, maxChars) ?? (own ? mapped : undefined);
  };
  // A copy of the same class, so Mastra treats it as the tool it was; the original is left as it is.
  return Object.assign(Object.create(Object.getPrototypeOf(tool) as object) as T, tool, { toModelOutput });
}

/**
 * The executor's tools with every result cut to `maxChars` before the model sees it (through
 * Mastra's `toModelOutput` hook: the run's tool results and traces keep the whole result, only the
 * next prompt is bounded). A function of the request context is wrapped likewise.
 */
export function capToolResults(tools: DynamicArgument<ToolsInput>, maxChars: number): DynamicArgument<ToolsInput> {
  const capAll = (input: ToolsInput): ToolsInput => Object.fromEntries(Object.entries(input).map(([name, tool]) => [name, capTool(tool, maxChars)]));
  if (typeof tools !== 'function') return capAll(tools);
  return async (context) => capAll(await tools(context));
}
