/** Tokens spent by one or more model calls. */
export interface TokenUsage {
  /** Prompt tokens. */
  readonly inputTokens: number;
  /** Completion tokens. */
  readonly outputTokens: number;
  /** inputTokens + outputTokens (or what the provider reported). */
  readonly totalTokens: number;
}

/** The roles that call a model. */
export type ModelRole = 'planner' | 'executor' | 'synthesizer';

/** Usage of a whole run, in total and per role. */
export interface RunUsage extends TokenUsage {
  /** The same numbers split by the role that spent them. */
  readonly byRole: Readonly<Record<ModelRole, TokenUsage>>;
}

/** No tokens. */
export const ZERO_USAGE: TokenUsage = Object.freeze({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });

/** The sum of two usages. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** Accumulates usage per role for one run. */
export class UsageMeter {
  private readonly roles: Record<ModelRole, TokenUsage> = {
    planner: ZERO_USAGE,
    executor: ZERO_USAGE,
    synthesizer: ZERO_USAGE,
  };

  constructor(initial?: RunUsage) {
    if (initial) Object.assign(this.roles, initial.byRole);
  }

  /** Adds what one call of `role` spent. */
  add(role: ModelRole, usage: TokenUsage): void {
    this.roles[role] = addUsage(this.roles[role], usage);
  }

  /** Total tokens so far, all roles. */
  get totalTokens(): number {
    return this.roles.planner.totalTokens + this.roles.executor.totalTokens + this.roles.synthesizer.totalTokens;
  }

  /** A plain copy of the current totals. */
  toJSON(): RunUsage {
    const total = [this.roles.planner, this.roles.executor, this.roles.synthesizer].reduce(addUsage, ZERO_USAGE);
    return { ...total, byRole: { ...this.roles } };
  }
}
