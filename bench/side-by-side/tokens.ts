/**
 * The bench's token rule, the same for every peer: input tokens of one model request =
 * ceil(characters / 4) of everything the request carries as text — every prompt message part
 * (system, user, assistant text, a tool call as `{"name":…,"args":…}`, a tool result's text), the
 * tool definitions as `[{"name":…,"description":…,"parameters":<JSON schema>}]` and the response
 * schema as JSON. No tokenizer: the rule is exact and the same for all, which is what a ratio needs.
 */

/** A tool definition as every framework sends it, reduced to the three fields they share. */
export interface ToolDefinition {
  /** The tool's name. */
  readonly name: string;
  /** Its description. */
  readonly description: string;
  /** Its input's JSON schema. */
  readonly parameters: unknown;
}

/** One model request as text. */
export interface RequestText {
  /** The text of every message part, in order (see {@link toolCallText} for tool calls). */
  readonly parts: readonly string[];
  /** The tools offered with the request. */
  readonly tools: readonly ToolDefinition[];
  /** The response format's JSON schema, when the request carries one. */
  readonly responseSchema?: unknown;
}

/** Tokens of `chars` characters: ceil(chars / 4). */
export const tokensOf = (chars: number) => Math.ceil(chars / 4);

/** A tool call as counted: `{"name":"work","args":{…}}`. */
export const toolCallText = (name: string, args: unknown) => JSON.stringify({ name, args });

/** Characters of `request` by the rule above (tools and schema counted only when present). */
export function requestChars({ parts, tools, responseSchema }: RequestText): number {
  const messageChars = parts.reduce((total, part) => total + part.length, 0);
  const toolChars = tools.length > 0 ? JSON.stringify(tools).length : 0;
  const schemaChars = responseSchema === undefined ? 0 : JSON.stringify(responseSchema).length;
  return messageChars + toolChars + schemaChars;
}

/** Input tokens of `request`. */
export const inputTokensOf = (request: RequestText) => tokensOf(requestChars(request));
