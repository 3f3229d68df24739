import { RunCancelledError } from './errors.ts';
import type { PlanStep } from './plan-schema.ts';
import type { CompletedStep, StepReply } from './ports.ts';
import { isOverlong } from './validate-plan.ts';

/** One executor attempt started before the plan was made (`streamPlan`). */
export interface EarlyAttempt {
  /** The step as the planner wrote it (redacted). */
  readonly step: PlanStep;
  /** When it started, in ms since the epoch. */
  readonly startedAt: number;
  /** The executor's reply; rejects once the attempt is aborted. */
  readonly reply: Promise<StepReply>;
  /** Aborts the attempt. */
  readonly controller: AbortController;
  /** The reply once it came; undefined while in flight or when it threw. */
  settled?: StepReply;
  /** The step's output as a dependant gets it, once the reply reported success. */
  output?: string;
  /** What the attempt threw, once it did. */
  failure?: { readonly error: unknown };
}

/** Runs one executor attempt of `step` with its dependencies' outputs under `signal`. */
export type StartAttempt = (step: PlanStep, dependencies: readonly CompletedStep[], signal: AbortSignal) => Promise<StepReply>;

/** What bounds the early attempts besides the executor. */
export interface EarlyLimits {
  /** Attempts in flight at once (the run's `concurrency`). */
  readonly limit: number;
  /** Steps taken in at all (`maxPlanSteps`: a plan is no longer). */
  readonly maxSteps: number;
  /** Whether another attempt may start, given the tokens the settled ones spent (the run's budget and signal). */
  readonly mayStart: (spentTokens: number) => boolean;
  /** A reply's output as a dependant would get it, null for a reported failure. */
  readonly outputOf: (reply: StepReply) => string | null;
}

const noop = () => undefined;

/** What the executor is asked about a step: two steps with the same fields are the same step. */
const stepKey = ({ id, description, expectedOutput, dependsOn, toolHint, tool, toolArgs, meta }: PlanStep) =>
  JSON.stringify([id, description, expectedOutput, dependsOn, toolHint, tool ?? null, toolArgs ?? null, meta ?? null]);

/**
 * The steps a run starts while its planner is still writing (`streamPlan`, issue 11), as
 * LLMCompiler's task-fetching unit does: each written step without a direct call whose
 * dependencies all finished early with success, up to `limit` in flight. Nothing about them is
 * recorded or emitted until the plan is made. Then `discard(plan.steps)` ends the early starts and
 * aborts every attempt the plan does not hold unchanged (or whose dependency it does not); the loop
 * `take`s each kept one as its step's first attempt. A tool an aborted attempt already called
 * stays called (a step is at-least-once anyway); the caller counts what the finished ones spent.
 */
export class EarlySteps {
  readonly #attempts = new Map<string, EarlyAttempt>();
  readonly #waiting: PlanStep[] = [];
  readonly #start: StartAttempt;
  readonly #limits: EarlyLimits;
  #closed = false;

  constructor(start: StartAttempt, limits: EarlyLimits) {
    this.#start = start;
    this.#limits = limits;
  }

  /**
   * A step written whole: it starts as soon as it may (never a direct step, never an id seen
   * before, never more than `maxSteps`, never one whose text the plan's validation would refuse).
   */
  offer(step: PlanStep): void {
    const seen = this.#attempts.has(step.id) || this.#waiting.some((waiting) => waiting.id === step.id);
    const full = this.#attempts.size + this.#waiting.length >= this.#limits.maxSteps;
    if (this.#closed || step.tool != null || seen || full || isOverlong(step)) return;
    this.#waiting.push(step);
    this.#startReady();
  }

  /** True when an attempt of this very step is kept for the loop to take. */
  holds(step: PlanStep): boolean {
    const attempt = this.#attempts.get(step.id);
    return attempt !== undefined && stepKey(attempt.step) === stepKey(step);
  }

  /** True when the attempt held for `step` is still running. */
  isRunning(step: PlanStep): boolean {
    const attempt = this.#attempts.get(step.id);
    return attempt !== undefined && attempt.settled === undefined && attempt.failure === undefined;
  }

  /** The attempt of `step` when it is the same step, handed over once; otherwise undefined. */
  take(step: PlanStep): EarlyAttempt | undefined {
    if (!this.holds(step)) return undefined;
    const attempt = this.#attempts.get(step.id);
    this.#attempts.delete(step.id);
    return attempt;
  }

  /**
   * Starts nothing more; aborts and returns every attempt whose step `keep` does not hold
   * unchanged, or whose dependency's attempt goes (its input would differ): all by default.
   */
  discard(keep: readonly PlanStep[] = []): EarlyAttempt[] {
    this.#closed = true;
    this.#waiting.length = 0;
    const planned = new Set(keep.map(stepKey));
    const dropped: EarlyAttempt[] = [];
    // Started in order, so a dependency is judged before its dependants.
    for (const attempt of this.#attempts.values()) {
      const lostInput = attempt.step.dependsOn.some((id) => dropped.some((gone) => gone.step.id === id));
      if (!planned.has(stepKey(attempt.step)) || lostInput) dropped.push(attempt);
    }
    for (const attempt of dropped) {
      this.#attempts.delete(attempt.step.id);
      attempt.controller.abort(new RunCancelledError());
    }
    return dropped;
  }

  /** Settles when one of the attempts still running ends; undefined when none runs. */
  settling(): Promise<void> | undefined {
    const running = [...this.#attempts.values()].filter((attempt) => this.isRunning(attempt.step));
    if (running.length === 0) return undefined;
    return Promise.race(running.map((attempt) => attempt.reply.then(noop, noop)));
  }

  /** Attempts still running and not taken over yet. */
  inFlight(): number {
    return [...this.#attempts.values()].filter((attempt) => this.isRunning(attempt.step)).length;
  }

  /** Tokens the settled attempts not taken over yet spent (the meter counts them once they are). */
  #spentTokens(): number {
    return [...this.#attempts.values()].reduce((total, attempt) => total + (attempt.settled?.usage.totalTokens ?? 0), 0);
  }

  #startReady(): void {
    for (const step of [...this.#waiting]) {
      if (this.#closed || this.inFlight() >= this.#limits.limit || !this.#limits.mayStart(this.#spentTokens())) return;
      const dependencies = step.dependsOn.map((id) => this.#attempts.get(id));
      if (dependencies.some((dependency) => dependency?.output === undefined)) continue;
      this.#waiting.splice(this.#waiting.indexOf(step), 1);
      this.#begin(step, dependencies as EarlyAttempt[]);
    }
  }

  #begin(step: PlanStep, dependencies: readonly EarlyAttempt[]): void {
    // As the loop passes them on (run-step.ts): id, description, output, meta.
    const inputs = dependencies.map(({ step: done, output }) => ({
      id: done.id,
      description: done.description,
      output: output!,
      ...(done.meta === undefined ? {} : { meta: done.meta }),
    }));
    const controller = new AbortController();
    // An executor that throws at once fails its attempt, never the planner's stream.
    const reply = (async () => this.#start(step, inputs, controller.signal))();
    const attempt: EarlyAttempt = { step, startedAt: Date.now(), controller, reply };
    this.#attempts.set(step.id, attempt);
    reply.then(
      (value) => {
        attempt.settled = value;
        try {
          const output = this.#limits.outputOf(value);
          if (output !== null) attempt.output = output;
        } catch {
          // A reply that cannot be read feeds no dependant; the loop reports it when it takes the attempt over.
        }
        this.#startReady();
      },
      (error: unknown) => {
        attempt.failure = { error };
        this.#startReady();
      },
    );
  }
}
