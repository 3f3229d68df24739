import type { ModelCallOptions } from '../../src/testing/index.ts';

type Part = { readonly type: string; readonly text?: string; readonly toolName?: string; readonly input?: unknown; readonly output?: unknown };

/** The text of one message part, as the peers harness (shared/peers-bench, lib-loader.ts) reads it. */
function partText(part: Part | string): string {
  if (typeof part === 'string') return part;
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text ?? '';
    case 'tool-call':
      return `tool-call ${part.toolName} ${typeof part.input === 'string' ? part.input : JSON.stringify(part.input)}`;
    case 'tool-result':
      return `tool-result ${part.toolName} ${JSON.stringify(part.output)}`;
    default:
      return `[${part.type}]`;
  }
}

/** The characters of one model call as the peers harness counts them: every message's text, the tools' JSON, the response schema's JSON. */
export function promptChars(options: ModelCallOptions): { readonly prompt: number; readonly tools: number; readonly schema: number } {
  const text = options.prompt
    .map((message) => (typeof message.content === 'string' ? message.content : (message.content as readonly Part[]).map(partText).join('\n')))
    .join('\n');
  const schema = options.responseFormat?.type === 'json' && options.responseFormat.schema ? JSON.stringify(options.responseFormat.schema).length : 0;
  return { prompt: text.length, tools: options.tools?.length ? JSON.stringify(options.tools).length : 0, schema };
}

/** Input tokens of one model call as the peers harness counts them: ceil(characters / 4). */
export function harnessInputTokens(options: ModelCallOptions): number {
  const { prompt, tools, schema } = promptChars(options);
  return Math.ceil((prompt + tools + schema) / 4);
}
