import { describe, expect, it } from 'vitest';
import {
  chattyJson,
  createTaskBrain,
  LM_STUDIO_JSON_OBJECT_ERROR,
  startLlamaCppServer,
  startLmStudioServer,
  startNoToolsServer,
  startOllamaServer,
  startVllmServer,
  THINKING,
  thinkBlock,
  type Brain,
} from './servers/index.ts';
import {
  afterWrite,
  chat,
  chatBody,
  closeAfterEach,
  FABRICATED_OUTCOME,
  type Json,
  message,
  SCHEMA_FORMAT,
  stream,
  TOOLS,
  WRITE_CALL,
  WROTE_OUTCOME,
} from './servers/test-fixtures.ts';

// The local servers' documented behaviour (Ollama, vLLM, llama.cpp, LM Studio), checked with plain
// fetch; sources next to each rule in tests/providers/servers/*.ts. OpenAI's: servers.test.ts.

const started = closeAfterEach();
const brain = createTaskBrain();

describe('Ollama', () => {
  it('a model that does not think (llama3.1:8b), tools and response_format: the format applies from the first token, so no tool call; the brain is asked for content and its invented outcome is sent (#13750)', async () => {
    const server = await started(startOllamaServer({ brain }));
    const reply = await chat(server, chatBody({ model: 'llama3.1:8b', tools: TOOLS, response_format: SCHEMA_FORMAT }));
    expect(message(reply)).toEqual({ role: 'assistant', content: JSON.stringify(FABRICATED_OUTCOME) });
    expect(reply.json.choices[0].finish_reason).toBe('stop');
    expect(server.exchanges.map((exchange) => [exchange.request.toolCallsAllowed, exchange.request.formatEnforced, exchange.toolCallsSent])).toEqual([
      [false, true, []],
    ]);
  });

  it('a thinking model (qwen3:4b, thinking on by default), tools and response_format: no format while it thinks, so the tool call gets out; then the content follows the format', async () => {
    const server = await started(startOllamaServer({ brain: createTaskBrain({ thinks: true }) }));
    const first = await chat(server, chatBody({ tools: TOOLS, response_format: SCHEMA_FORMAT }));
    expect(message(first)).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_0000063z', type: 'function', function: { name: 'writeFile', arguments: JSON.stringify(WRITE_CALL.arguments) }, index: 0 }],
      reasoning: THINKING,
    });
    const second = await chat(server, afterWrite({ tools: TOOLS, response_format: SCHEMA_FORMAT }));
    expect(message(second)).toEqual({ role: 'assistant', content: JSON.stringify(WROTE_OUTCOME), reasoning: THINKING });
    expect(server.exchanges.map((exchange) => [exchange.request.toolCallsAllowed, exchange.request.formatEnforced])).toEqual([
      [true, true],
      [true, true],
    ]);
  });

  it.each([
    ['reasoning_effort "none"', { reasoning_effort: 'none' }],
    ['reasoning.effort "none"', { reasoning: { effort: 'none' } }],
  ])('a thinking model with thinking turned off (%s): the format applies from the first token again, no tool call and no reasoning', async (_case, off) => {
    const server = await started(startOllamaServer({ brain: createTaskBrain({ thinks: true }) }));
    const reply = await chat(server, chatBody({ tools: TOOLS, response_format: SCHEMA_FORMAT, ...off }));
    expect(message(reply)).toEqual({ role: 'assistant', content: JSON.stringify(FABRICATED_OUTCOME) });
  });

  it('ignores tool_choice (its request struct has no such field): with "none" the tool call still gets out', async () => {
    const server = await started(startOllamaServer({ brain }));
    const reply = await chat(server, chatBody({ model: 'llama3.1:8b', tools: TOOLS, tool_choice: 'none' }));
    expect(message(reply).tool_calls.map((call: Json) => call.function.name)).toEqual(['writeFile']);
  });

  it('with tools only: tool calls with an index, content "", and the Ollama body fields', async () => {
    const server = await started(startOllamaServer({ brain }));
    const reply = await chat(server, chatBody({ tools: TOOLS }));
    expect(reply.json).toMatchObject({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      system_fingerprint: 'fp_ollama',
      choices: [{ finish_reason: 'tool_calls' }],
    });
    expect(message(reply)).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_0000063z', type: 'function', function: { name: 'writeFile', arguments: JSON.stringify(WRITE_CALL.arguments) }, index: 0 }],
    });
  });

  it('honours json_object and json_schema response formats', async () => {
    const server = await started(startOllamaServer({ brain }));
    for (const format of [{ type: 'json_object' }, SCHEMA_FORMAT]) {
      expect(JSON.parse(message(await chat(server, afterWrite({ response_format: format }))).content)).toEqual(WROTE_OUTCOME);
    }
  });

  it('a model without tool support: 400 "does not support tools" (invalid_request_error since v0.18.0) when tools are sent, 200 otherwise', async () => {
    const server = await started(startNoToolsServer({ brain }));
    const refused = await chat(server, chatBody({ model: 'gemma3:4b', tools: TOOLS }));
    expect([refused.status, refused.json]).toEqual([
      400,
      { error: { message: 'registry.ollama.ai/library/gemma3:4b does not support tools', type: 'invalid_request_error', param: null, code: null } },
    ]);
    expect((await chat(server, chatBody({ model: 'gemma3:4b', response_format: SCHEMA_FORMAT }))).status).toBe(200);
  });
});

describe('vLLM', () => {
  it('with tools and response_format under tool_choice auto: no tool call, JSON content, the current message fields (#39929)', async () => {
    const server = await started(startVllmServer({ brain }));
    const reply = await chat(server, chatBody({ tools: TOOLS, tool_choice: 'auto', response_format: SCHEMA_FORMAT }));
    // No tool_calls key: ChatMessage drops an empty list; `reasoning` replaced `reasoning_content` (#33402).
    expect(message(reply)).toEqual({
      role: 'assistant',
      content: JSON.stringify(FABRICATED_OUTCOME),
      refusal: null,
      annotations: null,
      audio: null,
      function_call: null,
      reasoning: null,
    });
  });

  it('with tool_choice required: the format is cleared and the tool call gets out', async () => {
    const server = await started(startVllmServer({ brain }));
    const reply = await chat(server, chatBody({ tools: TOOLS, tool_choice: 'required', response_format: SCHEMA_FORMAT }));
    expect(message(reply).tool_calls.map((call: Json) => call.function.name)).toEqual(['writeFile']);
    expect(server.exchanges[0]!.request.responseFormat).toBeNull();
  });

  it('without --enable-auto-tool-choice: 400 for tool_choice auto', async () => {
    const server = await started(startVllmServer({ brain, autoToolChoice: false }));
    const reply = await chat(server, chatBody({ tools: TOOLS }));
    expect([reply.status, reply.json]).toEqual([
      400,
      {
        error: {
          message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      },
    ]);
  });
});

/** What the stand-in says when the brain's content breaks the schema llama.cpp's grammar enforces. */
const OFF_SCHEMA_MESSAGE =
  "stand-in llama-cpp: the brain's content breaks the response format this server enforces: " +
  'success: Invalid input: expected boolean, received undefined; output: Invalid input: expected string, received undefined; ' +
  'error: Invalid input; (root): Unrecognized key: "answer"';

describe('llama.cpp', () => {
  it("json_schema is a grammar: the content is exactly the schema-valid JSON (a chatty model's prose cannot get in), a thinking model's reasoning in reasoning_content", async () => {
    const server = await started(startLlamaCppServer({ brain: createTaskBrain({ thinks: true, chatty: true }) }));
    const reply = await chat(server, afterWrite({ response_format: SCHEMA_FORMAT }));
    expect(message(reply)).toEqual({ role: 'assistant', content: JSON.stringify(WROTE_OUTCOME), reasoning_content: THINKING });
    expect([server.exchanges[0]!.request.formatEnforced, server.exchanges[0]!.reasoningSent]).toEqual([true, THINKING]);
  });

  it('a brain whose content breaks the grammar is a test bug: 500 naming the rule, nothing sent', async () => {
    const offSchema: Brain = () => ({ content: '{"answer": 42}' });
    const server = await started(startLlamaCppServer({ brain: offSchema }));
    const reply = await chat(server, chatBody({ response_format: SCHEMA_FORMAT }));
    expect([reply.status, reply.json.error.type, reply.json.error.message]).toEqual([500, 'stand_in_error', OFF_SCHEMA_MESSAGE]);
    expect(server.exchanges).toEqual([]);
  });

  it("--reasoning-format none leaves the think block in the content; with no response format, a chatty model's prose stays around its JSON", async () => {
    const server = await started(startLlamaCppServer({ brain: createTaskBrain({ thinks: true, chatty: true }), reasoningFormat: 'none' }));
    const reply = await chat(server, afterWrite());
    expect(message(reply)).toEqual({ role: 'assistant', content: thinkBlock(THINKING) + chattyJson(JSON.stringify(WROTE_OUTCOME)) });
  });

  it('with tools and a json_schema (generic handler): the tool call gets out, then the JSON dumped with indentation', async () => {
    const server = await started(startLlamaCppServer({ brain }));
    expect(message(await chat(server, chatBody({ tools: TOOLS, response_format: SCHEMA_FORMAT }))).tool_calls[0].function.name).toBe('writeFile');
    expect(message(await chat(server, afterWrite({ tools: TOOLS, response_format: SCHEMA_FORMAT }))).content).toBe(JSON.stringify(WROTE_OUTCOME, null, 2));
  });
});

describe('LM Studio', () => {
  it('refuses response_format json_object with 400 and its string error', async () => {
    const server = await started(startLmStudioServer({ brain }));
    const reply = await chat(server, chatBody({ response_format: { type: 'json_object' } }));
    expect([reply.status, reply.json]).toEqual([400, LM_STUDIO_JSON_OBJECT_ERROR]);
  });

  it('answers json_schema with schema-valid content and an empty tool_calls list', async () => {
    const server = await started(startLmStudioServer({ brain }));
    expect(message(await chat(server, afterWrite({ response_format: SCHEMA_FORMAT })))).toEqual({
      role: 'assistant',
      content: JSON.stringify(WROTE_OUTCOME),
      tool_calls: [],
    });
  });

  it('tools with a json_schema: undocumented, so the stand-in refuses to guess (a stand-in error, never a behaviour to rely on)', async () => {
    const server = await started(startLmStudioServer({ brain }));
    const reply = await chat(server, chatBody({ tools: TOOLS, response_format: SCHEMA_FORMAT }));
    expect([reply.status, reply.json.error.type]).toEqual([500, 'stand_in_error']);
    expect(server.exchanges).toEqual([]);
  });

  it('streams no usage chunk, even when stream_options.include_usage asks for one (lmstudio-bug-tracker#713)', async () => {
    const server = await started(startLmStudioServer({ brain }));
    const events = await stream(server, '/v1/chat/completions', { ...afterWrite(), stream: true, stream_options: { include_usage: true } });
    const chunks = events.slice(0, -1).map((event) => event.data as Json);
    expect([chunks.at(-1)!.choices[0].finish_reason, chunks.some((chunk) => 'usage' in chunk), events.at(-1)!.data]).toEqual(['stop', false, '[DONE]']);
  });
});
