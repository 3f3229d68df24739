import { Agent } from '@mastra/core/agent';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { MAX_STREAMED_PLAN_CHARS, planStreamReader } from '../../src/agents/plan-stream.ts';
import { createPlannerAgent, plannerPort } from '../../src/agents/planner.ts';
import type { Plan, PlanStep } from '../../src/engine/plan-schema.ts';
import type { PlanRequest } from '../../src/engine/ports.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { asMastraModel } from '../../src/testing/as-mastra-model.ts';
import { createScriptedModel, text, type ScriptedCall } from '../../src/testing/index.ts';
import { toGenerateResult, toModelUsage, toStreamResult } from '../../src/testing/model-protocol.ts';
import { eventTrail, recordEvents, scriptModelPlan, succeed } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';
import { until } from '../helpers/until.ts';

// `streamPlan` in the agent layer (issue 11, Wanted 5): the planner port streams the plan and
// hands each step written whole to the engine, which starts it before the plan is finished.

const THREE = plan([step('s1'), step('s2'), step('s3', ['s1'])]);

/** The plan as a model writes it (tool and toolArgs null on every step). */
const planText = (value: Plan) => (scriptModelPlan(value).content[0] as { text: string }).text;

/** Feeds `text` to a reader in pieces of `size` characters; returns the steps it passed on. */
async function read(text: string, size: number, maxSteps = 10): Promise<PlanStep[]> {
  const written: PlanStep[] = [];
  const reader = planStreamReader((one) => written.push(one), { maxSteps });
  for (let start = 0; start < text.length; start += size) await reader(text.slice(start, start + size));
  return written;
}

describe('planStreamReader', () => {
  it('passes on each step once a later one has begun, in order, once each, whatever the piece size; never the last', async () => {
    const whole = planText(THREE);
    for (const size of [1, 7, 40, whole.length]) expect(await read(whole, size)).toEqual([step('s1'), step('s2')]);
    expect(await read(whole.slice(0, whole.indexOf('{"id":"s2"')), 1)).toEqual([]);
  });

  it('reads past leading reasoning and a code fence, and passes nothing while the reasoning is open', async () => {
    const reasoned = `<think>Plan {"id": "x"} first.</think>\n<THINKING>More.</thinking >\n\`\`\`json\n${planText(THREE)}\n\`\`\``;
    for (const size of [1, 3, 5, 7, reasoned.length]) expect(await read(reasoned, size)).toEqual([step('s1'), step('s2')]);
    expect(await read(`<think>{"goal": "g", "steps": [{"id": "x"}, {"id": "y"}`, 5)).toEqual([]);
  });

  it('reads nothing of a plan drafted in reasoning a chat template opened (only its closing tag comes), nor after prose', async () => {
    const draft = planText(plan([step('s1', [], { description: 'Delete the old branch' }), step('s2'), step('s3')]));
    expect(await read(`I could ${draft} but no.</think>\n${planText(THREE)}`, 5)).toEqual([]);
    expect(await read(`Here is the plan: ${planText(THREE)}`, 5)).toEqual([]);
    // Reasoning that starts as JSON looks like the answer until its closing tag: nothing is read after it.
    const oneStepDraft = planText(plan([step('d1', [], { description: 'Delete the old branch' })]));
    for (const size of [1, 4, 9]) expect(await read(`${oneStepDraft}\nHmm, better:</think>\n${planText(THREE)}`, size)).toEqual([]);
  });

  it('passes at most maxSteps steps, and none once the answer is longer than MAX_STREAMED_PLAN_CHARS', async () => {
    const five = planText(plan([step('a'), step('b'), step('c'), step('d'), step('e')]));
    expect(await read(five, 9, 2)).toEqual([step('a'), step('b')]);
    const padded = five.replace('"goal":"Reach the goal"', `"goal":"${'x'.repeat(MAX_STREAMED_PLAN_CHARS)}"`);
    expect(await read(padded, 4096)).toEqual([]);
  });

  it('passes over a direct step and a step that does not match the schema as written, not the steps after them', async () => {
    const model = JSON.parse(planText(plan([step('a'), step('b'), step('c'), step('d'), step('e')]))) as { steps: Record<string, unknown>[] };
    model.steps[0] = { ...model.steps[0], tool: 'search', toolArgs: '{"q": "x"}' };
    const { expectedOutput, ...withoutExpected } = model.steps[1]!;
    void expectedOutput;
    model.steps[1] = withoutExpected;
    expect(await read(JSON.stringify(model), 3)).toEqual([step('c'), step('d')]);
  });
});

/**
 * A planner model that streams `value` one piece per step (split before each `{"id":`), awaiting
 * `before(index)` ahead of piece `index`; the plan must be streamed (a first call to `doGenerate`
 * fails), later calls (the synthesizer's) answer "All done.".
 */
function streamingPlannerModel(value: Plan, before: (index: number) => Promise<void> = async () => undefined) {
  const pieces = planText(value).split(/(?=\{"id":)/);
  let calls = 0;
  const model = new MockLanguageModelV4({
    provider: 'scripted',
    modelId: 'planner',
    doGenerate: async () => {
      if (calls++ === 0) throw new Error('the plan was not streamed');
      return toGenerateResult(text('All done.'), calls - 1);
    },
    doStream: async () => {
      if (calls++ > 0) return toStreamResult(text('All done.'), calls - 1);
      const stream = new ReadableStream({
        async start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: [] });
          controller.enqueue({ type: 'text-start', id: 'plan' });
          for (const [index, delta] of pieces.entries()) {
            await before(index);
            controller.enqueue({ type: 'text-delta', id: 'plan', delta });
          }
          controller.enqueue({ type: 'text-end', id: 'plan' });
          controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: toModelUsage({ input: 120, output: 80 }) });
          controller.close();
        },
      });
      return { stream } as Awaited<ReturnType<typeof toStreamResult>>;
    },
  });
  return asMastraModel(model);
}

const planRequest = (onStepWritten?: PlanRequest['onStepWritten']): PlanRequest => ({
  task: 'Do three things',
  tools: [],
  maxPlanSteps: 10,
  feedback: [],
  abortSignal: new AbortController().signal,
  ...(onStepWritten ? { onStepWritten } : {}),
});

describe('plannerPort with onStepWritten', () => {
  for (const mode of ['native', 'prompt'] as const) {
    it(`streams the plan (${mode}): the steps written whole come before the answer, which is the plan as ever`, async () => {
      const log: string[] = [];
      // The last piece waits until s1 was handed over: it was, before the plan was finished.
      const model = streamingPlannerModel(THREE, async (index) => {
        if (index === 3) await until('s1 to be written', () => (log.includes('written s1') ? true : undefined), 5_000, 2);
        log.push(`piece ${index}`);
      });
      const port = plannerPort(createPlannerAgent({ model }), { mode });
      const reply = await port.plan(planRequest((one) => void log.push(`written ${one.id}`)));
      log.push('answered');
      expect(log).toEqual(['piece 0', 'piece 1', 'piece 2', 'written s1', 'piece 3', 'written s2', 'answered']);
      expect(reply).toEqual({ value: THREE, usage: { inputTokens: 120, outputTokens: 80, totalTokens: 200 }, mode, repairs: [] });
    });
  }

  it('calls the model the usual way (generate) when the engine does not ask for the steps', async () => {
    const model = createScriptedModel([scriptModelPlan(THREE)], { name: 'planner' });
    const reply = await plannerPort(new Agent({ id: 'p', name: 'P', instructions: 'Plan.', model }), { mode: 'native' }).plan(planRequest());
    expect(reply.value).toEqual(THREE);
  });
});

describe('PlanAndExecute with streamPlan', () => {
  it('runs the first steps while the planner is still writing, each step once, and completes as without', async () => {
    const executorCalls: string[] = [];
    const executor = createScriptedModel(
      Array.from({ length: 3 }, () => ({ prompt }: ScriptedCall) => {
        const stepId = /Your step \((\w+)\)/.exec(JSON.stringify(prompt))![1]!;
        executorCalls.push(stepId);
        return succeed(`${stepId} done`);
      }),
      { name: 'executor' },
    );
    // The last piece waits until s1's executor call has been made: s1 started while the plan was written.
    const planner = streamingPlannerModel(THREE, async (index) => {
      if (index === 3) await until('s1 to start', () => (executorCalls.includes('s1') ? true : undefined), 5_000, 5);
    });
    const { events, onEvent } = recordEvents();
    const agent = new PlanAndExecute({ planner, executor, tools: {}, streamPlan: true, structuredOutput: { planner: 'native', executor: 'native' } });
    const result = await agent.run('Do three things', { onEvent });
    expect(result.status).toBe('completed');
    expect(executorCalls.toSorted()).toEqual(['s1', 's2', 's3']);
    expect(result.plan.map((one) => [one.id, one.status, one.output])).toEqual([
      ['s1', 'done', 's1 done'],
      ['s2', 'done', 's2 done'],
      ['s3', 'done', 's3 done'],
    ]);
    expect(eventTrail(events).slice(0, 2)).toEqual(['run-started', 'plan-created']);
    expect(events.flatMap((event) => (event.type === 'step-started' ? [[event.stepId, event.early ?? false]] : []))).toEqual([
      ['s1', true],
      ['s2', true],
      ['s3', false],
    ]);
    expect(result.finalOutput).toBe('All done.');
  });
});
