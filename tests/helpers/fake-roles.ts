import { performance } from 'node:perf_hooks';
import { DEFAULTS } from '../../src/engine/settings.ts';
import { defaultFailurePolicy } from '../../src/engine/policy.ts';
import type {
  Executor,
  PlanRequest,
  Planner,
  ReplanRequest,
  RoleReply,
  StepReply,
  StepRequest,
  SynthesisRequest,
  Synthesizer,
} from '../../src/engine/ports.ts';
import type { RunSettings } from '../../src/engine/settings.ts';
import type { TokenUsage } from '../../src/engine/usage.ts';
import { usage as makeUsage } from './plans.ts';

/** Usage every planner reply reports unless told otherwise. */
export const PLANNER_USAGE = makeUsage(100, 20);
/** Usage every executor reply reports unless told otherwise. */
export const EXECUTOR_USAGE = makeUsage(50, 10);
/** Usage every synthesizer reply reports unless told otherwise. */
export const SYNTHESIZER_USAGE = makeUsage(30, 5);

/** Run settings: DEFAULTS, the default failure policy, then `overrides`. */
export function settings(overrides: Partial<RunSettings> = {}): RunSettings {
  return { ...DEFAULTS, failurePolicy: defaultFailurePolicy, ...overrides };
}

/** A script entry that makes a fake role throw `error` instead of answering. */
export class Throw {
  constructor(readonly error: unknown) {}
}

/** Shorthand for `new Throw(error)`. */
export const throwing = (error: unknown): Throw => new Throw(error);

/** A planner fake: answers from queues and records every request. */
export interface FakePlanner extends Planner {
  /** Every plan request, in order. */
  readonly planRequests: PlanRequest[];
  /** Every replan request, in order. */
  readonly replanRequests: ReplanRequest[];
}

async function answer<Request>(queue: unknown[], request: Request, usage: TokenUsage, label: string, call: number): Promise<RoleReply<never>> {
  if (queue.length === 0) throw new Error(`fake planner: no ${label} left in the script (call ${call})`);
  const entry = queue.shift();
  if (entry instanceof Throw) throw entry.error;
  if (typeof entry === 'function') return (await entry(request)) as RoleReply<never>;
  return { value: structuredClone(entry) as never, usage };
}

/**
 * A planner answering `plans` to plan requests and `decisions` to replan requests, in order; throws
 * when a queue runs out. An entry is a value (returned as is, valid or not), a `Throw`, or a function
 * of the request returning the whole reply.
 */
export function fakePlanner({
  plans = [],
  decisions = [],
  usage = PLANNER_USAGE,
}: {
  plans?: unknown[];
  decisions?: unknown[];
  usage?: TokenUsage;
} = {}): FakePlanner {
  const planQueue = [...plans];
  const decisionQueue = [...decisions];
  const planRequests: PlanRequest[] = [];
  const replanRequests: ReplanRequest[] = [];
  return {
    planRequests,
    replanRequests,
    plan(request) {
      planRequests.push(request);
      return answer(planQueue, request, usage, 'plan', planRequests.length);
    },
    replan(request) {
      replanRequests.push(request);
      return answer(decisionQueue, request, usage, 'decision', replanRequests.length);
    },
  };
}

/** What the fake executor does for one attempt of a step. */
export type ExecutorAction =
  /** Succeeds with `ok` as output after `delayMs` (the delay honours the abort signal). */
  | { readonly ok: string; readonly delayMs?: number; readonly usage?: TokenUsage; readonly toolCalls?: number }
  /** Answers `success: false` with `fail` as its error (a permanent failure). */
  | { readonly fail: string | null; readonly delayMs?: number; readonly usage?: TokenUsage }
  /** Throws `throws` after `delayMs` (a retryable failure unless it is a non-retryable PlanExecuteError). */
  | { readonly throws: unknown; readonly delayMs?: number }
  /** Never answers: 'until-aborted' rejects when the signal fires; 'forever' ignores the signal. */
  | { readonly hang: 'until-aborted' | 'forever' }
  /** Any behaviour at all. */
  | ((request: StepRequest) => Promise<StepReply>);

/** One executor call as the fake saw it. */
export interface ExecutorCall {
  /** The step's id. */
  readonly stepId: string;
  /** The request as received. */
  readonly request: StepRequest;
  /** performance.now() when the call began. */
  readonly startedAt: number;
  /** performance.now() when it settled; null while it has not. */
  endedAt: number | null;
}

/** An executor fake: runs a per-step script and records each call. */
export interface FakeExecutor extends Executor {
  /** Every call, in start order. */
  readonly calls: ExecutorCall[];
  /** "start <id>" / "end <id>" lines in the order they happened. */
  readonly log: string[];
  /** How many times step `id` was executed. */
  callCount(id: string): number;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function perform(action: ExecutorAction, request: StepRequest, usage: TokenUsage): Promise<StepReply> {
  if (typeof action === 'function') return action(request);
  if ('hang' in action) {
    if (action.hang === 'forever') return new Promise<never>(() => undefined);
    return new Promise<never>((_, reject) => request.abortSignal.addEventListener('abort', () => reject(request.abortSignal.reason), { once: true }));
  }
  if (action.delayMs) await sleep(action.delayMs, request.abortSignal);
  if ('throws' in action) throw action.throws;
  if ('ok' in action) return { value: { success: true, output: action.ok, error: null }, usage: action.usage ?? usage, toolCalls: action.toolCalls ?? 0 };
  return { value: { success: false, output: '', error: action.fail }, usage: action.usage ?? usage, toolCalls: 0 };
}

/**
 * An executor running `script[stepId]` one action per attempt. Steps without a script succeed
 * with "<id> out"; a step whose script ran out throws an error saying so.
 */
export function fakeExecutor({ script = {}, usage = EXECUTOR_USAGE }: { script?: Record<string, ExecutorAction[]>; usage?: TokenUsage } = {}): FakeExecutor {
  const queues = new Map(Object.entries(script).map(([id, actions]) => [id, [...actions]]));
  const calls: ExecutorCall[] = [];
  const log: string[] = [];
  return {
    calls,
    log,
    callCount: (id) => calls.filter((call) => call.stepId === id).length,
    async execute(request) {
      const stepId = request.step.id;
      const call: ExecutorCall = { stepId, request, startedAt: performance.now(), endedAt: null };
      calls.push(call);
      log.push(`start ${stepId}`);
      const queue = queues.get(stepId);
      const action: ExecutorAction | undefined = queue ? queue.shift() : { ok: `${stepId} out` };
      try {
        if (!action) throw new Error(`fake executor: the script for step "${stepId}" ran out`);
        return await perform(action, request, usage);
      } finally {
        call.endedAt = performance.now();
        log.push(`end ${stepId}`);
      }
    },
  };
}

/** A synthesizer fake that records its requests. */
export interface FakeSynthesizer extends Synthesizer {
  /** Every request, in order. */
  readonly requests: SynthesisRequest[];
}

/** A synthesizer answering `output` (default: "<id>: <output>" lines of the steps it got). */
export function fakeSynthesizer({ output, usage = SYNTHESIZER_USAGE }: { output?: string; usage?: TokenUsage } = {}): FakeSynthesizer {
  const requests: SynthesisRequest[] = [];
  return {
    requests,
    async synthesize(request) {
      requests.push(request);
      return { value: output ?? request.steps.map((done) => `${done.id}: ${done.output}`).join('\n'), usage };
    },
  };
}
