/**
 * `node --experimental-transform-types bench/side-by-side/mastra-floor.ts [rounds=15]`: process CPU
 * per call of the layers under one executor step, on a 0 ms mock model, interleaved round by round:
 * a plain `Agent.generate`; a two-turn tool step (a `work` call, then the outcome) through
 * `Agent.generate` with structured output and without; the same step through this project's
 * executor port in `native` and in `text` mode; and
 * the same two turns through the AI SDK's `generateText`, which Mastra wraps. What separates the
 * port from Mastra is this project's cost per step; what separates Mastra from the AI SDK is not.
 */
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { z } from 'zod';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { StepOutcomeSchema } from '../../src/engine/plan-schema.ts';
import type { StepRequest } from '../../src/engine/ports.ts';
import { asMastraModel } from '../../src/testing/as-mastra-model.ts';
import { type ModelCallOptions, toGenerateResult, toStreamResult } from '../../src/testing/model-protocol.ts';
import { text, toolCall } from '../../src/testing/responses.ts';
import { median } from '../measure.ts';

const OUTCOME = JSON.stringify({ success: true, output: 'result of s1', error: null });
const CALLS_PER_SAMPLE = 10;

/** A 0 ms model: a `work` call while the step has none, then the outcome. */
function stepModel() {
  let calls = 0;
  const reply = (options: ModelCallOptions) =>
    options.tools?.some((candidate) => candidate.name === 'work') && !options.prompt.some((message) => message.role === 'tool')
      ? toolCall('work', { step: 's1' })
      : text(OUTCOME);
  return new MockLanguageModelV4({
    doGenerate: async (options) => toGenerateResult(reply(options), calls++),
    doStream: async (options) => toStreamResult(reply(options), calls++),
  });
}

const work = createTool({ id: 'work', description: 'Do one step.', inputSchema: z.object({ step: z.string() }), execute: async () => 'result of s1' });
const structuredOutput = { schema: StepOutcomeSchema, errorStrategy: 'fallback' as const, fallbackValue: null };
const plain = new Agent({ id: 'plain', name: 'Plain', instructions: 'Answer.', model: asMastraModel(stepModel()), maxRetries: 0 });
const withTool = new Agent({ id: 'tool', name: 'Tool', instructions: 'Use work.', model: asMastraModel(stepModel()), tools: { work }, maxRetries: 0 });
const port = executorPort(createExecutorAgent({ model: asMastraModel(stepModel()), tools: { work } }), { mode: 'native' });
const textPort = executorPort(createExecutorAgent({ model: asMastraModel(stepModel()), tools: { work } }), { mode: 'text' });
const sdkModel = stepModel();
const sdkWork = tool({ description: 'Do one step.', inputSchema: z.object({ step: z.string() }), execute: async () => 'result of s1' });
const step = { id: 's1', description: 'Do s1', expectedOutput: 'its result', dependsOn: [], toolHint: 'work' };
const request = (): StepRequest => ({
  task: 'Do s1.',
  step,
  dependencies: [],
  attempt: 1,
  previousError: null,
  maxIterations: 5,
  abortSignal: new AbortController().signal,
});

const CASES: Readonly<Record<string, () => Promise<unknown>>> = {
  'Agent.generate, plain': () => plain.generate('Hello'),
  'Agent.generate, tool step + structured output': () => withTool.generate('Do s1', { maxSteps: 5, structuredOutput }),
  'Agent.generate, tool step, no structured output': () => withTool.generate('Do s1', { maxSteps: 5 }),
  'executorPort.execute (native), tool step': () => port.execute(request()),
  'executorPort.execute (text), tool step': () => textPort.execute(request()),
  'AI SDK generateText, tool step': () =>
    generateText({ model: sdkModel, system: 'Use work.', prompt: 'Do s1', tools: { work: sdkWork }, stopWhen: stepCountIs(5) }),
};

const rounds = Number(process.argv[2] ?? 15);
const samples = new Map<string, number[]>(Object.keys(CASES).map((name) => [name, []]));
for (let round = -3; round < rounds; round++) {
  for (const [name, run] of Object.entries(CASES)) {
    const before = process.cpuUsage();
    for (let call = 0; call < CALLS_PER_SAMPLE; call++) await run();
    const spent = process.cpuUsage(before);
    if (round >= 0) samples.get(name)!.push((spent.user + spent.system) / 1000 / CALLS_PER_SAMPLE);
  }
}
for (const [name, values] of samples) process.stdout.write(`${median(values).toFixed(2).padStart(7)} ms CPU per call  ${name}\n`);
