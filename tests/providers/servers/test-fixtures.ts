import { afterEach, expect } from 'vitest';
import { stepPrompt } from '../../../src/agents/prompts.ts';
import { NOTE_CONTENT, NOTE_TASK, notePlan } from './brain.ts';
import type { StandInServer } from './types.ts';

// Shared by the stand-ins' own tests (servers.test.ts, brain.test.ts, sdk-interop.test.ts): request
// bodies shaped as @ai-sdk/openai sends them, the task's step prompts, and fetch helpers.

const signal = new AbortController().signal;

/** The two steps of the task brain's plan. */
export const [WRITE_STEP, READ_STEP] = notePlan('writeFile readFile').steps;

/** The real executor prompt (src/agents/prompts.ts) for `step`. */
export const stepText = (step: typeof WRITE_STEP) =>
  stepPrompt({ task: NOTE_TASK, step: step!, dependencies: [], attempt: 1, previousError: null, maxIterations: 5, abortSignal: signal });

/** The step outcome schema as the AI SDK sends it (strict). */
export const OUTCOME_SCHEMA = {
  type: 'object',
  properties: { success: { type: 'boolean' }, output: { type: 'string' }, error: { type: ['string', 'null'] } },
  required: ['success', 'output', 'error'],
  additionalProperties: false,
};
const functionTool = (name: string, properties: Record<string, unknown>) => ({
  type: 'function',
  function: { name, description: `${name} tool`, parameters: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } },
});
/** `writeFile` and `readFile` as Chat Completions tools. */
export const TOOLS = [
  functionTool('writeFile', { path: { type: 'string' }, content: { type: 'string' } }),
  functionTool('readFile', { path: { type: 'string' } }),
];
/** A strict json_schema `response_format` for the outcome. */
export const SCHEMA_FORMAT = { type: 'json_schema', json_schema: { name: 'response', strict: true, schema: OUTCOME_SCHEMA } };
/** The brain's write call. */
export const WRITE_CALL = { name: 'writeFile', arguments: { path: 'note.txt', content: NOTE_CONTENT } };
/** What the workspace `writeFile` tool returns. */
export const WRITTEN = JSON.stringify({ ok: true, path: 'note.txt', bytes: 19, created: true });
/** The outcome the brain reports after the write. */
export const WROTE_OUTCOME = { success: true, output: 'Wrote 19 bytes to note.txt.', error: null };
/** The outcome the brain invents when no tool call can get out. */
export const FABRICATED_OUTCOME = { success: true, output: `Wrote "${NOTE_CONTENT}" to note.txt.`, error: null };
/** `signal` for prompt requests that need one. */
export const ABORT_SIGNAL = signal;

/** A chat body as @ai-sdk/openai's chat model sends it, for the write step. */
export const chatBody = (extra: Record<string, unknown> = {}, prompt = stepText(WRITE_STEP)) => ({
  model: 'qwen3:4b',
  messages: [
    { role: 'system', content: 'You are the executor of a Plan & Execute agent.' },
    { role: 'user', content: prompt },
  ],
  ...extra,
});

/** The same conversation after the write tool answered. */
export const afterWrite = (extra: Record<string, unknown> = {}) => {
  const body = chatBody(extra);
  const call = { id: 'call_1', type: 'function', function: { name: 'writeFile', arguments: JSON.stringify(WRITE_CALL.arguments) } };
  return {
    ...body,
    messages: [...body.messages, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: WRITTEN }],
  };
};

/** A parsed JSON body. Assertions read it by path; a wrong path fails the assertion, so loose typing loses nothing. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read by path in assertions only.
export type Json = Record<string, any>;

/** Registers an afterEach that closes every server passed to the returned `started`. */
export function closeAfterEach() {
  const running: StandInServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });
  return async function started(server: Promise<StandInServer>) {
    running.push(await server);
    return running.at(-1)!;
  };
}

/** POSTs `body` (a string is sent as is) and reads the JSON answer. */
export async function post(server: StandInServer, path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer sk-test' }) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as Json, text };
}

/** POSTs to `/v1/chat/completions`. */
export const chat = (server: StandInServer, body: unknown, headers?: Record<string, string>) => post(server, '/v1/chat/completions', body, headers);

/** The first choice's message. */
export const message = (reply: { json: Json }) => reply.json.choices[0].message;

/** The SSE events of a streamed answer: `event:` name (if any) and parsed `data`. */
export async function stream(server: StandInServer, path: string, body: unknown) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return (await response.text())
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)![1]!;
      return { event, data: data === '[DONE]' ? data : (JSON.parse(data) as Json) };
    });
}
