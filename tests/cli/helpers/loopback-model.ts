import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plan, StepOutcome } from '../../../src/engine/plan-schema.ts';

/** Which role a chat request is for, told by the agent's instructions. */
export type LoopbackRole = 'planner' | 'replanner' | 'executor' | 'synthesizer';

/** One answer: a JSON value (structured output) or plain text, after `delayMs`; or `'hang'` (never answer). */
export type LoopbackAnswer = ({ json: Plan | StepOutcome | object } | { text: string }) & { delayMs?: number } | 'hang';

/** What the server answers each role with, in order; the last answer repeats. */
export type LoopbackScript = Partial<Record<LoopbackRole, readonly LoopbackAnswer[]>>;

/** An OpenAI-compatible Chat Completions server on 127.0.0.1 that answers from a script. */
export interface LoopbackModel {
  /** The OPENAI_BASE_URL to give the CLI. */
  readonly baseUrl: string;
  /** Roles of the requests received, in order. */
  readonly requests: LoopbackRole[];
  /** The most executor requests that were open at once. */
  readonly maxExecutorsInFlight: () => number;
  /** Resolves once a request for `role` has arrived. */
  waitFor(role: LoopbackRole): Promise<void>;
  close(): Promise<void>;
}

interface ChatRequest {
  readonly messages: ReadonlyArray<{ role: string; content: unknown }>;
  readonly response_format?: { json_schema?: { schema?: { properties?: Record<string, unknown> } } };
}

function roleOf(request: ChatRequest): LoopbackRole {
  const system = request.messages.find((message) => message.role === 'system');
  const instructions = typeof system?.content === 'string' ? system.content : JSON.stringify(system?.content ?? '');
  if (instructions.startsWith('You are the executor')) return 'executor';
  if (instructions.startsWith('You are the synthesizer')) return 'synthesizer';
  const properties = request.response_format?.json_schema?.schema?.properties ?? {};
  return 'action' in properties ? 'replanner' : 'planner';
}

const completion = (content: string) => ({
  id: 'chatcmpl-loopback',
  object: 'chat.completion',
  created: 0,
  model: 'loopback',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

/** Starts the server; close it in `afterEach`. Hanging requests end when the client goes away. */
export async function startLoopbackModel(script: LoopbackScript): Promise<LoopbackModel> {
  const requests: LoopbackRole[] = [];
  const counts = new Map<LoopbackRole, number>();
  const waiters: Array<{ role: LoopbackRole; resolve: () => void }> = [];
  let executorsInFlight = 0;
  let maxExecutorsInFlight = 0;
  const server: Server = createServer(async (request, response) => {
    const role = roleOf(JSON.parse(await readBody(request)) as ChatRequest);
    requests.push(role);
    for (const waiter of waiters.filter((candidate) => candidate.role === role)) waiter.resolve();
    const answers = script[role] ?? [];
    const index = counts.get(role) ?? 0;
    counts.set(role, index + 1);
    const answer = answers[Math.min(index, answers.length - 1)];
    if (answer === undefined) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no scripted answer for the ${role}` } }));
      return;
    }
    if (answer === 'hang') return;
    if (role === 'executor') maxExecutorsInFlight = Math.max(maxExecutorsInFlight, ++executorsInFlight);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (role === 'executor') executorsInFlight--;
    const content = 'json' in answer ? JSON.stringify(answer.json) : answer.text;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(content)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    maxExecutorsInFlight: () => maxExecutorsInFlight,
    waitFor: (role) =>
      requests.includes(role) ? Promise.resolve() : new Promise((resolve) => waiters.push({ role, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
