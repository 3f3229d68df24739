import { describe, expect, it } from 'vitest';
import { createTaskBrain, startLlamaCppServer, startLmStudioServer, startOllamaServer, startOpenAIChatServer, startVllmServer } from './servers/index.ts';
import { chatBody, closeAfterEach, type Json, stream, TOOLS, WRITE_CALL } from './servers/test-fixtures.ts';

// How each server streams a tool call, checked with plain fetch (sources next to each flavour's
// toolCallDeltas in tests/providers/servers/*.ts); the AI SDK putting the pieces back together:
// servers/sdk-interop.test.ts.

const started = closeAfterEach();
const brain = createTaskBrain();

// A streamed tool call, as each server sends it: the `tool_calls[0]` entry of each delta, in order.
const ARGUMENT_PIECES = ['{"path":"note.txt', '","content":"hell', 'o from the plan"}'];
const WRITE_ARGUMENTS = JSON.stringify(WRITE_CALL.arguments);
const fragments = (entry: (piece: string) => Json) => ARGUMENT_PIECES.map(entry);

describe('streamed tool calls, per server', () => {
  it.each<[string, () => ReturnType<typeof startOllamaServer>, Json[]]>([
    [
      'OpenAI: id, type and name first with empty arguments, then index and fragments only',
      () => startOpenAIChatServer({ brain }),
      [
        { index: 0, id: 'call_standin1x0', type: 'function', function: { name: 'writeFile', arguments: '' } },
        ...fragments((piece) => ({ index: 0, function: { arguments: piece } })),
      ],
    ],
    [
      'Ollama: the whole call in one delta',
      () => startOllamaServer({ brain }),
      [{ id: 'call_0000063z', index: 0, type: 'function', function: { name: 'writeFile', arguments: WRITE_ARGUMENTS } }],
    ],
    [
      'vLLM: id, type and name first without arguments, then index and fragments only',
      () => startVllmServer({ brain }),
      [
        { index: 0, type: 'function', id: 'chatcmpl-tool-00000000000000000000000000000064', function: { name: 'writeFile' } },
        ...fragments((piece) => ({ index: 0, function: { arguments: piece } })),
      ],
    ],
    [
      'llama.cpp: id, type and name with the first fragment, then index and fragments only',
      () => startLlamaCppServer({ brain }),
      [
        { index: 0, id: '00000000000000000000000000000010', type: 'function', function: { name: 'writeFile', arguments: ARGUMENT_PIECES[0] } },
        ...fragments((piece) => ({ index: 0, function: { arguments: piece } })).slice(1),
      ],
    ],
    [
      'LM Studio: id, type and name first, then fragments with type and an empty name',
      () => startLmStudioServer({ brain }),
      [
        { index: 0, id: '100000100', type: 'function', function: { name: 'writeFile', arguments: '' } },
        ...fragments((piece) => ({ index: 0, type: 'function', function: { name: '', arguments: piece } })),
      ],
    ],
  ])('%s', async (_name, start, expected) => {
    const server = await started(start());
    const events = await stream(server, '/v1/chat/completions', { ...chatBody({ tools: TOOLS }), stream: true });
    const deltas = events.slice(0, -1).map((event) => (event.data as Json).choices[0]?.delta as Json | undefined);
    const toolCallDeltas = deltas.filter((delta) => delta?.tool_calls);
    expect(toolCallDeltas.map((delta) => delta!.tool_calls)).toEqual(expected.map((entry) => [entry]));
  });
});
