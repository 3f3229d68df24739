import { describe, expect, it } from 'vitest';
import { isPlanExecuteError, ModelCallFailedError } from '../../src/engine/errors.ts';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import type { Executor, Planner, Synthesizer } from '../../src/engine/ports.ts';
import { resumePlan, runPlan } from '../../src/engine/run-plan.ts';
import { InMemoryRunStore } from '../../src/engine/run-store.ts';
import { resolveSettings } from '../../src/engine/settings.ts';

const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
const step = (id: string) => ({ id, description: `Do ${id}`, expectedOutput: `${id} done`, dependsOn: [], toolHint: null });
const planner = (ids: string[]): Planner => ({
  plan: async () => ({ value: { goal: 'g', rationale: null, steps: ids.map(step) }, usage }),
  replan: async () => {
    throw new Error('no replan expected');
  },
});
const synthesizer: Synthesizer = { synthesize: async () => ({ value: 'out', usage }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An executor whose first call for `flaky` is rate limited (Retry-After `retryAfterMs`); every other call succeeds. */
function rateLimitedOnce(flaky: string, retryAfterMs: number): Executor & { readonly started: string[] } {
  const started: string[] = [];
  return {
    started,
    execute: async ({ step: { id } }) => {
      started.push(id);
      if (id === flaky && started.filter((other) => other === flaky).length === 1) {
        throw new ModelCallFailedError('executor', 429, retryAfterMs, 'rate limited');
      }
      return { value: { success: true, output: `${id} out`, error: null }, usage, toolCalls: 0 };
    },
  };
}

describe('a step waiting to retry', () => {
  it('keeps its slot: with concurrency 1 no other step starts during its backoff', async () => {
    const executor = rateLimitedOnce('a', 50);
    const result = await runPlan({ task: 't', planner: planner(['a', 'b']), executor, synthesizer, tools: [], settings: resolveSettings({ concurrency: 1 }) });
    expect(result.status).toBe('completed');
    expect(executor.started).toEqual(['a', 'a', 'b']);
  });

  it('is resumed after a crash during its backoff, the cut-off wait counted as a crash', async () => {
    const store = new InMemoryRunStore();
    const crashed = new InMemoryRunStore();
    const controller = new AbortController();
    const settings = resolveSettings({ maxRetries: 2 });
    // Copy the store while `a` waits out a 5 s Retry-After, as a process killed right then would leave it.
    let copied!: () => void;
    const copyMade = new Promise<void>((resolve) => (copied = resolve));
    const onEvent = async (event: PlanRunEvent) => {
      if (event.type !== 'step-retried') return;
      await crashed.save((await store.load('r1'))!);
      copied();
    };
    const first = runPlan({
      task: 't',
      planner: planner(['a']),
      executor: rateLimitedOnce('a', 5_000),
      synthesizer,
      tools: [],
      settings,
      runId: 'r1',
      store,
      abortSignal: controller.signal,
      onEvent,
    });
    await Promise.race([
      copyMade,
      first.then((ended) => {
        throw new Error(`The run ended ${ended.status} before its step waited to retry`);
      }),
    ]);
    const resumed = await resumePlan({
      planner: planner(['a']),
      executor: rateLimitedOnce('none', 0),
      synthesizer,
      tools: [],
      settings,
      runId: 'r1',
      store: crashed,
    });
    controller.abort();
    await first;
    expect([resumed.status, resumed.error]).toEqual(['completed', null]);
    expect(resumed.plan.map(({ id, status, attempts, crashes }) => [id, status, attempts, crashes])).toEqual([['a', 'done', 2, 1]]);
  });
});

describe('the lease of a running run', () => {
  it('is renewed while approvePlan takes longer than the lease, so no one else can take the run', async () => {
    const store = new InMemoryRunStore();
    let asked!: () => void;
    let checked!: () => void;
    const approvalAsked = new Promise<void>((resolve) => (asked = resolve));
    const checkDone = new Promise<void>((resolve) => (checked = resolve));
    // The approval lasts until the test has tried to take the run, 1.5 leases after it was asked for.
    const settings = resolveSettings({
      leaseMs: 1_000,
      approvePlan: async () => {
        asked();
        await checkDone;
        return true;
      },
    });
    const run = runPlan({ task: 't', planner: planner(['a']), executor: rateLimitedOnce('none', 0), synthesizer, tools: [], settings, runId: 'r1', store });
    await approvalAsked;
    await sleep(1_500);
    const taken = await store.acquire('r1', { owner: 'otherhost:1:abc', ttlMs: 60_000 }).then(
      () => 'taken',
      (error: unknown) => (isPlanExecuteError(error, 'RUN_LOCKED') ? 'RUN_LOCKED' : String(error)),
    );
    checked();
    expect(taken).toBe('RUN_LOCKED');
    expect((await run).status).toBe('completed');
  });
});
