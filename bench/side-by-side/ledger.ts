/** The roles a model call is counted under. */
export type Role = 'planner' | 'executor' | 'replanner' | 'synthesizer';

/** One model call as the ledger records it. */
export interface ModelCall {
  /** Who called. */
  readonly role: Role;
  /** The step the call worked on (executor), or the step after which it came (replanner). */
  readonly step?: string | undefined;
  /** Input tokens by the bench's rule (see tokens.ts). */
  readonly inputTokens: number;
  /** Output tokens by the same rule. */
  readonly outputTokens: number;
}

/** One run of the `work` tool. */
export interface ToolRun {
  /** The step it worked on (`?` when the call named none). */
  readonly step: string;
  /** False when it threw. */
  readonly ok: boolean;
  /** The `input` argument it got (the output of the step it uses), when the call carried one. */
  readonly input?: string;
}

type Kind = 'model' | 'tool';

/** Everything one run did, seen from its models and its tool; one ledger per run. */
export class Ledger {
  /** Every model call, in order. */
  readonly calls: ModelCall[] = [];
  /** Every tool run, in order. */
  readonly toolRuns: ToolRun[] = [];
  /** Time spent inside model calls (their latency and the scripted model's own work), in ms. */
  modelMs = 0;
  /** Time spent inside the tool, in ms. */
  toolMs = 0;
  /** The step the executor was last asked about, for peers whose replanner prompt names none. */
  lastExecutorStep: string | undefined;
  /** Most model calls and tool runs in flight at once. */
  readonly maxInFlight: Record<Kind, number> = { model: 0, tool: 0 };
  readonly #inFlight: Record<Kind, number> = { model: 0, tool: 0 };

  /** A model call or tool run starts. */
  enter(kind: Kind): void {
    this.#inFlight[kind]++;
    this.maxInFlight[kind] = Math.max(this.maxInFlight[kind], this.#inFlight[kind]);
  }

  /** A model call or tool run that took `ms` ends. */
  leave(kind: Kind, ms: number): void {
    this.#inFlight[kind]--;
    if (kind === 'model') this.modelMs += ms;
    else this.toolMs += ms;
  }

  /** Records a model call, noting the executor's step for {@link lastExecutorStep}. */
  record(call: ModelCall): void {
    this.calls.push(call);
    if (call.role === 'executor') this.lastExecutorStep = call.step;
  }

  /** Model calls of `role`, or of every role. */
  count(role?: Role): number {
    return role === undefined ? this.calls.length : this.calls.filter((call) => call.role === role).length;
  }

  /** Input tokens of `role`'s calls attributed to step `stepId`. */
  stepTokens(stepId: string, role: Role): number {
    return this.calls.filter((call) => call.role === role && call.step === stepId).reduce((total, call) => total + call.inputTokens, 0);
  }

  /** Input tokens of the whole run. */
  inputTokens(): number {
    return this.calls.reduce((total, call) => total + call.inputTokens, 0);
  }

  /** True when the step `stepId` has a `work` run that did not throw. */
  isDone(stepId: string): boolean {
    return this.toolRuns.some((run) => run.step === stepId && run.ok);
  }
}
