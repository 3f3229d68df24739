import { describe, expect, it } from 'vitest';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { createScriptedModel, json, text, toolCall } from '../../src/testing/index.ts';
import { createAddTool, directAddStep, modelCalls, recordEvents, scriptModelPlan, succeed, userText } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';

const slow = createTool({ id: 'slow', description: 'A tool the step does not need', inputSchema: z.object({}), execute: async () => 'slow' });

// Five mechanical steps: each adds its index to the previous sum, read from that step's JSON output.
const fiveSums = plan([
  directAddStep('s1', [], { a: 1, b: 2 }),
  ...[2, 3, 4, 5].map((index) => directAddStep(`s${index}`, [`s${index - 1}`], { a: { $ref: `s${index - 1}`, path: 'sum' }, b: index })),
]);

describe('direct steps with real Agents', () => {
  it('runs a plan of five mechanical tool steps in exactly 2 model calls: the plan and the synthesis', async () => {
    const planner = createScriptedModel([scriptModelPlan(fiveSums), text('The running sum ends at 17.')], { name: 'planner' });
    const executor = createScriptedModel([], { name: 'executor' });
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool } });
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Keep a running sum of 1 to 5 on top of 2', { onEvent });

    expect(result.status).toBe('completed');
    expect([planner.calls.length, executor.calls.length]).toEqual([2, 0]);
    expect(modelCalls(events)).toEqual(['planner::native', 'synthesizer::text']);
    expect(add.inputs).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 2 },
      { a: 5, b: 3 },
      { a: 8, b: 4 },
      { a: 12, b: 5 },
    ]);
    expect(result.plan.map((tracked) => tracked.output)).toEqual(['{"sum":3}', '{"sum":5}', '{"sum":8}', '{"sum":12}', '{"sum":17}']);
    expect(result.usage.byRole.executor).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(result.finalOutput).toBe('The running sum ends at 17.');
  });

  it('hands a step whose filled arguments the tool rejects to the executor, which completes it', async () => {
    // s2 passes s1's whole output (an object) where add wants a number: Mastra's validation refuses it.
    const planned = plan([directAddStep('s1', [], { a: 1, b: 2 }), directAddStep('s2', ['s1'], { a: { $ref: 's1' }, b: 3 })]);
    const planner = createScriptedModel([scriptModelPlan(planned), text('6')], { name: 'planner' });
    const executor = createScriptedModel([toolCall('add', { a: 3, b: 3 }), succeed('{"sum":6}')], { name: 'executor' });
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor, tools: { add: add.tool, slow } });

    const result = await agent.run('Add twice');

    expect(result.status).toBe('completed');
    expect(add.inputs).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 3 },
    ]);
    expect(result.warnings).toEqual([
      {
        stepId: 's2',
        warning: 'direct-call-failed',
        message: expect.stringMatching(
          /^Step "s2" could not call tool "add" directly \(Tool input validation failed for add\. .*a: Invalid input: expected number, received object/s,
        ),
      },
    ]);
    const prompt = userText(executor.calls[0]);
    expect(prompt).toContain(
      'The planned call of add with:\n<data source="arguments">\n{"a":{"sum":3},"b":3}\n</data>\nfailed:\n<data source="call error">\nTool input validation failed for add.',
    );
    // The fallback may need another way: it is offered every tool.
    expect(executor.callOptions[0]!.tools?.map((tool) => tool.name)).toEqual(['add', 'slow']);
    expect([planner.calls.length, executor.calls.length]).toEqual([2, 2]);
  });

  it("treats a tool's reported failure ({ ok: false, error }) as a failed call", async () => {
    const refusing = createTool({
      id: 'write',
      description: 'Write a file',
      inputSchema: z.object({ path: z.string() }),
      execute: async ({ path }) => ({ ok: false as const, error: `${path}: outside the workspace` }),
    });
    const planner = createScriptedModel([scriptModelPlan(plan([step('s1', [], { tool: 'write', toolArgs: { path: '/etc/passwd' } })])), text('no')], {
      name: 'planner',
    });
    const executor = createScriptedModel([succeed('written to notes.txt instead')], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, tools: { write: refusing } });

    const result = await agent.run('Write it');

    expect(result.warnings.map((warning) => warning.message)).toEqual([
      'Step "s1" could not call tool "write" directly (/etc/passwd: outside the workspace); the executor does the step instead',
    ]);
    expect(result.plan[0]!.output).toBe('written to notes.txt instead');
  });

  it("cuts a direct step's output like a tool result shown to the executor model (maxToolResultChars)", async () => {
    const long = createTool({ id: 'dump', description: 'Dump a log', inputSchema: z.object({}), execute: async () => 'x'.repeat(40) });
    const planner = createScriptedModel([scriptModelPlan(plan([step('s1', [], { tool: 'dump', toolArgs: {} })])), text('ok')], { name: 'planner' });
    const agent = new PlanAndExecute({ planner, executor: createScriptedModel([]), tools: { dump: long }, maxToolResultChars: 10 });

    const result = await agent.run('Dump the log');

    expect(result.plan[0]!.output).toBe('xxxxxxxxxx\n…[cut 30 of 40 characters]');
  });

  it('sends a plan whose toolArgs is not JSON object text back to the planner with the issue', async () => {
    const broken = json({
      goal: 'Add',
      steps: [{ id: 's1', description: 'Add 1 and 2', expectedOutput: 'the sum', dependsOn: [], toolHint: null, tool: 'add', toolArgs: '[1, 2]' }],
      rationale: null,
    });
    const planner = createScriptedModel([broken, scriptModelPlan(plan([directAddStep('s1', [], { a: 1, b: 2 })])), text('3')], { name: 'planner' });
    const add = createAddTool();
    const agent = new PlanAndExecute({ planner, executor: createScriptedModel([]), tools: { add: add.tool } });
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Add 1 and 2', { onEvent });

    const issue = 'steps[0].toolArgs: must be the text of one JSON object, such as {"a": 1, "b": {"$ref": "s1"}}; got "[1, 2]"';
    expect(events.filter((event) => event.type === 'plan-invalid')).toMatchObject([{ issues: [issue], attempt: 1 }]);
    expect(userText(planner.calls[1])).toContain(`Fix every problem:\n- ${issue}`);
    expect([result.status, add.inputs]).toEqual(['completed', [{ a: 1, b: 2 }]]);
  });
});

describe('the tools an executor step is offered', () => {
  const tools = () => ({ add: createAddTool().tool, slow });
  const offered = (model: ReturnType<typeof createScriptedModel>) => model.callOptions.map((options) => options.tools?.map((tool) => tool.name));

  it('is every tool by default, a toolHint notwithstanding (a hint is the tool most likely needed)', async () => {
    const planner = createScriptedModel([scriptModelPlan(plan([step('s1', [], { toolHint: 'add' })])), text('done')], { name: 'planner' });
    const executor = createScriptedModel([succeed('done')], { name: 'executor' });
    await new PlanAndExecute({ planner, executor, tools: tools() }).run('Do it');

    expect(offered(executor)).toEqual([['add', 'slow']]);
  });

  it('is only the hinted tool on the first attempt with offerNamedToolsOnly, and every tool on a retry', async () => {
    const planner = createScriptedModel([scriptModelPlan(plan([step('s1', [], { toolHint: 'add' })])), text('3')], { name: 'planner' });
    const model = createScriptedModel([text('not an outcome'), toolCall('add', { a: 1, b: 2 }), succeed('3')], { name: 'executor' });
    const executor = createExecutorAgent({ model, tools: tools(), offerNamedToolsOnly: true });

    const result = await new PlanAndExecute({ planner, executor }).run('Add 1 and 2');

    expect(result.status).toBe('completed');
    expect(offered(model)).toEqual([['add'], ['add', 'slow'], ['add', 'slow']]);
  });

  it("answers a call of a tool not offered with Mastra's tool error naming the tools it has", async () => {
    const planner = createScriptedModel([scriptModelPlan(plan([step('s1', [], { toolHint: 'add' })])), text('done')], { name: 'planner' });
    const model = createScriptedModel([toolCall('slow', {}), succeed('done with add alone')], { name: 'executor' });
    const executor = createExecutorAgent({ model, tools: tools(), offerNamedToolsOnly: true });

    const result = await new PlanAndExecute({ planner, executor }).run('Do it');

    expect(result.status).toBe('completed');
    expect(JSON.stringify(model.calls[1]!.at(-1))).toContain('Tool \\"slow\\" not found. Available tools: add.');
  });

  it("is only a direct step's tool when the executor is asked to make the planned call", async () => {
    const model = createScriptedModel([toolCall('add', { a: 1, b: 2 }), succeed('{"sum":3}')], { name: 'executor' });
    const port = executorPort(createExecutorAgent({ model, tools: tools() }));
    const request = {
      task: 'Add',
      step: directAddStep('s1', [], { a: 1, b: 2 }),
      dependencies: [],
      attempt: 1,
      previousError: null,
      maxIterations: 3,
      abortSignal: new AbortController().signal,
      directCall: { tool: 'add', args: { a: 1, b: 2 }, error: null },
    };

    await port.execute(request);

    expect(offered(model)).toEqual([['add'], ['add']]);
  });

  it('refuses an offerNamedToolsOnly that is not a boolean', () => {
    expect(() => createExecutorAgent({ model: createScriptedModel([]), offerNamedToolsOnly: 'yes' as never })).toThrow(
      'Expected `offerNamedToolsOnly` to be a boolean, got "yes" (string)',
    );
  });
});
