import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPORT_TOOL_NAME } from '../../../src/agents/report-tool.ts';
import type { Plan, StepOutcome } from '../../../src/engine/plan-schema.ts';

/** Which role a chat request is for, told by the agent's instructions and prompt. */
export type LoopbackRole = 'planner' | 'replanner' | 'executor' | 'synthesizer';

/** One answer: a JSON value (structured output), plain text, or a call of one of the request's tools, after `delayMs`; or `'hang'` (never answer). */
export type LoopbackAnswer =
  | (({ json: Plan | StepOutcome | object } | { text: string } | { toolCall: { name: string; args: object } }) & { delayMs?: number })
  | 'hang';

/** What the server answers each role with, in order; the last answer repeats. */
export type LoopbackScript = Partial<Record<LoopbackRole, readonly LoopbackAnswer[]>>;

/** A Chat Completions request as the server received it. */
export interface LoopbackRequest {
  readonly role: LoopbackRole;
  readonly body: ChatRequest;
}

/** An OpenAI-compatible Chat Completions server on 127.0.0.1 that answers from a script. */
export interface LoopbackModel {
  /** The OPENAI_BASE_URL to give the CLI. */
  readonly baseUrl: string;
  /** Roles of the requests received, in order. */
  readonly requests: LoopbackRole[];
  /** The requests received, in order, with their bodies. */
  readonly received: LoopbackRequest[];
  /** The most executor requests that were open at once. */
  readonly maxExecutorsInFlight: () => number;
  /** Resolves once a request for `role` has arrived. */
  waitFor(role: LoopbackRole): Promise<void>;
  close(): Promise<void>;
}

/** The parts of a request body the helper and the tests read. */
export interface ChatRequest {
  readonly messages: ReadonlyArray<{ role: string; content: unknown }>;
  readonly tools?: ReadonlyArray<{ function: { name: string } }>;
  readonly response_format?: { json_schema?: { schema?: { properties?: Record<string, unknown> } } };
}

const textOf = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content ?? ''));

/** The role, from the first words of the agent's instructions, else of the prompt (src/agents/prompts.ts). */
function roleOf(request: ChatRequest): LoopbackRole {
  const instructions = textOf(request.messages.find((message) => message.role === 'system')?.content);
  const prompt = textOf(request.messages.find((message) => message.role === 'user')?.content);
  if (instructions.startsWith('You are the executor') || prompt.startsWith('Task (context only)')) return 'executor';
  if (instructions.startsWith('You are the synthesizer') || prompt.startsWith('Write the final answer')) return 'synthesizer';
  const properties = request.response_format?.json_schema?.schema?.properties ?? {};
  return 'action' in properties || prompt.startsWith('A step of the plan failed') ? 'replanner' : 'planner';
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function completion(message: object, finishReason: 'stop' | 'tool_calls') {
  return {
    id: 'chatcmpl-loopback',
    object: 'chat.completion',
    created: 0,
    model: 'loopback',
    choices: [{ index: 0, message, finish_reason: finishReason }],
    usage: USAGE,
  };
}

function toolCallMessage(name: string, args: object, requestIndex: number) {
  const call = { id: `call_${requestIndex}`, type: 'function', function: { name, arguments: JSON.stringify(args) } };
  return { role: 'assistant', content: null, tool_calls: [call] };
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

const offersTool = (request: ChatRequest, name: string) => (request.tools ?? []).some((tool) => tool.function.name === name);

/**
 * The completion answering `request` (number `index`) with `answer`. A JSON answer to an executor
 * that was given its final-answer tool (`tool` mode) is a call of that tool, as a model following
 * its instructions answers.
 */
function reply(answer: Exclude<LoopbackAnswer, 'hang'>, request: ChatRequest, index: number): object {
  if ('toolCall' in answer) return completion(toolCallMessage(answer.toolCall.name, answer.toolCall.args, index), 'tool_calls');
  if ('json' in answer && offersTool(request, REPORT_TOOL_NAME)) return completion(toolCallMessage(REPORT_TOOL_NAME, answer.json, index), 'tool_calls');
  const content = 'json' in answer ? JSON.stringify(answer.json) : answer.text;
  return completion({ role: 'assistant', content }, 'stop');
}

/** Starts the server; close it in `afterEach`. Hanging requests end when the client goes away. */
export async function startLoopbackModel(script: LoopbackScript): Promise<LoopbackModel> {
  const requests: LoopbackRole[] = [];
  const received: LoopbackRequest[] = [];
  const counts = new Map<LoopbackRole, number>();
  const waiters: Array<{ role: LoopbackRole; resolve: () => void }> = [];
  let executorsInFlight = 0;
  let maxExecutorsInFlight = 0;
  const server: Server = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as ChatRequest;
    const role = roleOf(body);
    requests.push(role);
    received.push({ role, body });
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
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply(answer, body, requests.length)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    received,
    maxExecutorsInFlight: () => maxExecutorsInFlight,
    waitFor: (role) => (requests.includes(role) ? Promise.resolve() : new Promise((resolve) => waiters.push({ role, resolve }))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
