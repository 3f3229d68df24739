import { describe, expect, it } from 'vitest';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import type { ToolArgs } from '../../src/engine/plan-schema.ts';
import type { DirectToolRunner, ToolCallRequest } from '../../src/engine/ports.ts';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { ZERO_USAGE } from '../../src/engine/usage.ts';
import { EXECUTOR_USAGE, fakeExecutor, fakePlanner, fakeSynthesizer, settings, type ExecutorAction } from '../helpers/fake-roles.ts';
import { plan, step } from '../helpers/plans.ts';

const TOOLS = [{ name: 'add', description: 'Add two numbers' }];

/** A runner whose `add` returns `{ sum }` (as the JSON text a DirectToolRunner gives), or does what `behave` says; records every call. */
function fakeRunner(behave: (request: ToolCallRequest) => Promise<string> = async ({ args }) => JSON.stringify({ sum: Number(args.a) + Number(args.b) })) {
  const calls: Array<{ stepId: string; tool: string; args: ToolArgs }> = [];
  const runner: DirectToolRunner = {
    callTool(request) {
      calls.push({ stepId: request.stepId, tool: request.tool, args: request.args });
      return behave(request);
    },
  };
  return { runner, calls };
}

const add = (id: string, dependsOn: string[], toolArgs: ToolArgs) => step(id, dependsOn, { description: `Add for ${id}`, tool: 'add', toolArgs });
const chain = plan([
  add('s1', [], { a: 1, b: 2 }),
  add('s2', ['s1'], { a: { $ref: 's1', path: 'sum' }, b: 10 }),
  add('s3', ['s2'], { a: { $ref: 's2', path: 'sum' }, b: 100 }),
]);

function run(options: { runner?: DirectToolRunner; script?: Record<string, ExecutorAction[]>; planned?: typeof chain; store?: InMemoryRunStore }) {
  const events: PlanRunEvent[] = [];
  const planner = fakePlanner({ plans: [options.planned ?? chain] });
  const executor = fakeExecutor({ script: options.script ?? {} });
  const synthesizer = fakeSynthesizer();
  const input = {
    task: 'Add up',
    planner,
    executor,
    synthesizer,
    tools: TOOLS,
    toolRunner: options.runner,
    settings: settings(),
    runId: 'direct-1',
    store: options.store,
    onEvent: (event: PlanRunEvent) => void events.push(event),
  };
  return { input, executor, events, result: () => runPlan(input) };
}

describe('direct steps in the engine', () => {
  it('calls each tool itself with the references filled in: no executor call, no tokens, one tool call per step', async () => {
    const { runner, calls } = fakeRunner();
    const { executor, events, result } = run({ runner });

    const finished = await result();

    expect(finished.status).toBe('completed');
    expect(calls).toEqual([
      { stepId: 's1', tool: 'add', args: { a: 1, b: 2 } },
      { stepId: 's2', tool: 'add', args: { a: 3, b: 10 } },
      { stepId: 's3', tool: 'add', args: { a: 13, b: 100 } },
    ]);
    expect(executor.calls).toEqual([]);
    expect(finished.steps.map(({ stepId, status, output, toolCalls, usage, direct }) => ({ stepId, status, output, toolCalls, usage, direct }))).toEqual([
      { stepId: 's1', status: 'done', output: '{"sum":3}', toolCalls: 1, usage: ZERO_USAGE, direct: true },
      { stepId: 's2', status: 'done', output: '{"sum":13}', toolCalls: 1, usage: ZERO_USAGE, direct: true },
      { stepId: 's3', status: 'done', output: '{"sum":113}', toolCalls: 1, usage: ZERO_USAGE, direct: true },
    ]);
    expect(finished.usage.byRole.executor).toEqual(ZERO_USAGE);
    expect(finished.warnings).toEqual([]);
    expect(events.filter((event) => event.type === 'step-started')).toMatchObject([
      { stepId: 's1', attempt: 1, direct: true },
      { stepId: 's2', attempt: 1, direct: true },
      { stepId: 's3', attempt: 1, direct: true },
    ]);
    expect(events.some((event) => event.type === 'model-called' && event.role === 'executor')).toBe(false);
    // The plan keeps its calls, so a checkpoint or a result can run them again.
    expect(finished.plan.map(({ id, tool, toolArgs }) => ({ id, tool, toolArgs }))).toEqual(
      chain.steps.map(({ id, tool, toolArgs }) => ({ id, tool, toolArgs })),
    );
  });

  it('hands a step whose call throws to the executor, with the planned call and the error, and warns', async () => {
    const { runner } = fakeRunner(async ({ stepId, args }) => {
      if (stepId === 's2') throw new Error('add is down');
      return JSON.stringify({ sum: Number(args.a) + Number(args.b) });
    });
    const { executor, events, result } = run({ runner, script: { s2: [{ ok: '{"sum":13}' }] } });

    const finished = await result();

    expect(finished.status).toBe('completed');
    expect(executor.calls.map((call) => [call.stepId, call.request.directCall])).toEqual([
      ['s2', { tool: 'add', args: { a: 3, b: 10 }, error: 'add is down' }],
    ]);
    const warning = {
      stepId: 's2',
      warning: 'direct-call-failed',
      message: 'Step "s2" could not call tool "add" directly (add is down); the executor does the step instead',
    };
    expect(finished.warnings).toEqual([warning]);
    expect(events.filter((event) => event.type === 'step-warning')).toMatchObject([warning]);
    expect(finished.steps.map(({ stepId, direct, usage }) => [stepId, direct, usage])).toEqual([
      ['s1', true, ZERO_USAGE],
      ['s2', undefined, EXECUTOR_USAGE],
      ['s3', true, ZERO_USAGE],
    ]);
    expect(finished.plan.map((tracked) => tracked.output)).toEqual(['{"sum":3}', '{"sum":13}', '{"sum":113}']);
  });

  it('hands a step whose reference cannot be filled (its dependency was skipped) to the executor, arguments null', async () => {
    const planned = plan([step('s0'), add('s1', ['s0'], { a: { $ref: 's0', path: 'n' }, b: 1 })]);
    const { runner, calls } = fakeRunner();
    const { executor, result } = run({ runner, planned, script: { s1: [{ ok: 'done by hand' }] } });

    await result();

    expect(calls).toEqual([]);
    expect(executor.calls.map((call) => [call.stepId, call.request.directCall ?? null])).toEqual([
      ['s0', null],
      ['s1', { tool: 'add', args: null, error: 'The output of "s0" is not a JSON object or array, so it has no "n"' }],
    ]);
  });

  it('without a DirectToolRunner, gives the executor the planned call to make (error null)', async () => {
    const { executor, events, result } = run({ script: { s1: [{ ok: '{"sum":3}' }], s2: [{ ok: '{"sum":13}' }], s3: [{ ok: '{"sum":113}' }] } });

    const finished = await result();

    expect(executor.calls.map((call) => call.request.directCall)).toEqual([
      { tool: 'add', args: { a: 1, b: 2 }, error: null },
      { tool: 'add', args: { a: 3, b: 10 }, error: null },
      { tool: 'add', args: { a: 13, b: 100 }, error: null },
    ]);
    expect(executor.calls[0]!.request.step).toEqual({ ...add('s1', [], { a: 1, b: 2 }) });
    expect(finished.warnings).toEqual([]);
    expect(events.filter((event) => event.type === 'step-started').map((event) => 'direct' in event)).toEqual([false, false, false]);
  });

  it('redacts and cuts a direct output like an executor output', async () => {
    const { runner } = fakeRunner(async () => `token sk-secret-123456 ${'x'.repeat(50)}`);
    const { input } = run({ runner, planned: plan([add('s1', [], { a: 1, b: 2 })]) });

    const finished = await runPlan({ ...input, settings: settings({ redact: ['sk-secret-123456'], maxStepOutputChars: 30 }) });

    expect(finished.steps[0]!.output).toBe('token [REDACTED] xxxxxxxxxxxxx\n…[cut 37 of 67 characters]');
  });

  it("resumes after a crash without calling a done step's tool again, filling references from the stored outputs", async () => {
    const store = new InMemoryRunStore();
    // What a SIGKILL during s2's call leaves: the store as it is then (s1 done, s2 started).
    const afterCrash = new InMemoryRunStore();
    const controller = new AbortController();
    const first = fakeRunner(async ({ stepId, args }) => {
      if (stepId === 's2') {
        await afterCrash.save((await store.load('direct-1'))!);
        controller.abort();
      }
      return JSON.stringify({ sum: Number(args.a) + Number(args.b) });
    });
    const { input } = run({ runner: first.runner, store });
    await runPlan({ ...input, abortSignal: controller.signal });
    const second = fakeRunner();

    const resumed = await resumePlan({ ...input, runId: 'direct-1', store: afterCrash, toolRunner: second.runner });

    expect(resumed.status).toBe('completed');
    expect(first.calls.map((call) => call.stepId)).toEqual(['s1', 's2']);
    expect(second.calls).toEqual([
      { stepId: 's2', tool: 'add', args: { a: 3, b: 10 } },
      { stepId: 's3', tool: 'add', args: { a: 13, b: 100 } },
    ]);
    expect(resumed.plan.map((tracked) => [tracked.output, tracked.attempts])).toEqual([
      ['{"sum":3}', 1],
      ['{"sum":13}', 2],
      ['{"sum":113}', 1],
    ]);
  });
});
