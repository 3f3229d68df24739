/** Tokens one scripted response reports, as plain numbers. */
export interface ScriptedUsage {
  /** Prompt tokens. */
  readonly input: number;
  /** Completion tokens. */
  readonly output: number;
}

/** Usage every response reports unless told otherwise: 10 prompt and 20 completion tokens. */
export const DEFAULT_SCRIPTED_USAGE: ScriptedUsage = Object.freeze({ input: 10, output: 20 });

/** One piece of a scripted reply: text, or a call of a tool the agent offers. */
export type ScriptedContent =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool-call';
      /** Defaults to `call-<n>`, n being the 1-based index of the model call that serves the reply. */
      readonly toolCallId?: string;
      readonly toolName: string;
      /** The tool's arguments; serialised with JSON.stringify when served. */
      readonly input: unknown;
    };

/** A reply the model returns for one call. */
export interface ScriptedReply {
  readonly type: 'reply';
  /** What the model says, in order. */
  readonly content: readonly ScriptedContent[];
  /** `stop` for a final answer, `tool-calls` when the agent must run tools and call again. */
  readonly finishReason: 'stop' | 'tool-calls';
  /** Tokens this reply reports. */
  readonly usage: ScriptedUsage;
}

/** A call that fails: the model throws `error`, as a provider does on an API error. */
export interface ScriptedFailure {
  readonly type: 'error';
  /** What the call throws. */
  readonly error: Error;
}

/** What one model call does: reply or throw. */
export type ScriptedResponse = ScriptedReply | ScriptedFailure;

function withDefaults(usage: Partial<ScriptedUsage> | undefined): ScriptedUsage {
  return { ...DEFAULT_SCRIPTED_USAGE, ...usage };
}

/**
 * A plain text answer (finish reason `stop`).
 * @param usage - Tokens reported; each field defaults to {@link DEFAULT_SCRIPTED_USAGE}.
 * @example createScriptedModel([text('Paris.')])
 */
export function text(value: string, usage?: Partial<ScriptedUsage>): ScriptedReply {
  return { type: 'reply', content: [{ type: 'text', text: value }], finishReason: 'stop', usage: withDefaults(usage) };
}

/**
 * A text answer holding `JSON.stringify(value)`: what a model returns for structured output.
 * @param usage - Tokens reported; each field defaults to {@link DEFAULT_SCRIPTED_USAGE}.
 */
export function json(value: unknown, usage?: Partial<ScriptedUsage>): ScriptedReply {
  return text(JSON.stringify(value), usage);
}

/** Options of {@link toolCall}. */
export interface ToolCallOptions {
  /** The tool call id. @default `call-<n>` for the n-th model call (1-based) */
  readonly id?: string;
  /** Tokens reported; each field defaults to {@link DEFAULT_SCRIPTED_USAGE}. */
  readonly usage?: Partial<ScriptedUsage>;
}

/**
 * A reply that calls one tool (finish reason `tool-calls`); the agent runs the tool and calls the model again.
 * @param toolName - The key of the tool in the agent's `tools` record.
 * @param input - The tool's arguments.
 * @example createScriptedModel([toolCall('add', { a: 2, b: 3 }), text('The sum is 5.')])
 */
export function toolCall(toolName: string, input: unknown, { id, usage }: ToolCallOptions = {}): ScriptedReply {
  return {
    type: 'reply',
    content: [{ type: 'tool-call', toolCallId: id, toolName, input }],
    finishReason: 'tool-calls',
    usage: withDefaults(usage),
  };
}

/**
 * A call that throws `cause`, to simulate an API error (rate limit, outage, bad request).
 * @example createScriptedModel([error(new Error('503 Service Unavailable')), text('ok')])
 */
export function error(cause: Error): ScriptedFailure {
  return { type: 'error', error: cause };
}
