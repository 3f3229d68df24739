import type { Plan, PlanStep } from './plan-schema.ts';
import type { CompletedStep } from './ports.ts';

/** Where a step stands. */
export type StepStatus = 'pending' | 'in_progress' | 'done' | 'failed' | 'skipped';

/** A plan step with its live state. */
export interface TrackedStep extends PlanStep {
  /** Where the step stands. */
  readonly status: StepStatus;
  /** The step's output once done; null before. */
  readonly output: string | null;
  /** The last error, or the reason it was skipped; null otherwise. */
  readonly error: string | null;
  /** Attempts started so far (retries and attempts cut off by a crash included). */
  readonly attempts: number;
  /** Attempts cut off by a crash (the process died during them); absent when none. */
  readonly crashes?: number;
}

/** One change to the plan after execution started, and why. */
export interface PlanRevision {
  /** 1 for the first revision, 2 for the second, … */
  readonly revision: number;
  /** What changed the plan. */
  readonly kind: 'revise' | 'skip' | 'edit';
  /** Why, in the replanner's or the editor's words. */
  readonly reason: string;
  /** The step whose failure caused it; null for an edit at approval. */
  readonly failedStepId: string | null;
  /** The steps before the change. */
  readonly stepsBefore: readonly PlanStep[];
  /** The steps after the change. */
  readonly stepsAfter: readonly PlanStep[];
}

/** Plain-JSON state of a tracker; `PlanTracker.restore` rebuilds it exactly. */
export interface TrackerSnapshot {
  /** Snapshot format version. */
  readonly version: 1;
  /** The plan as first made. */
  readonly initialPlan: Plan;
  /** The plan's goal. */
  readonly goal: string;
  /** The plan's rationale. */
  readonly rationale: string | null;
  /** Every step of the current plan with its state, in plan order. */
  readonly steps: readonly TrackedStep[];
  /** Every revision so far. */
  readonly revisions: readonly PlanRevision[];
}

/** A plan step's own fields, copied: a direct step keeps its `tool` and `toolArgs`, any step its `meta`. */
const toPlanStep = ({ id, description, expectedOutput, dependsOn, toolHint, tool, toolArgs, meta }: PlanStep): PlanStep => ({
  id,
  description,
  expectedOutput,
  dependsOn: [...dependsOn],
  toolHint,
  ...(tool == null ? {} : { tool, toolArgs: toolArgs == null ? null : structuredClone(toolArgs) }),
  ...(meta === undefined ? {} : { meta: structuredClone(meta) }),
});

const fresh = (step: PlanStep): TrackedStep => ({ ...toPlanStep(step), status: 'pending', output: null, error: null, attempts: 0 });

/**
 * A tracked step, copied. By hand rather than with structuredClone, which cost about a tenth of a
 * millisecond per step on every list and update (issue 11); only `toolArgs` and `meta`, the fields
 * that can nest, go through structuredClone.
 */
const copyStep = (step: TrackedStep): TrackedStep => ({ ...step, ...toPlanStep(step) });

/** Holds every step's status, its attempts and the plan's revisions. */
export class PlanTracker {
  private steps: TrackedStep[];
  private readonly revisionLog: PlanRevision[];

  private constructor(
    private readonly state: Omit<TrackerSnapshot, 'steps' | 'revisions'>,
    steps: TrackedStep[],
    revisions: PlanRevision[],
  ) {
    this.steps = steps;
    this.revisionLog = revisions;
  }

  /** A tracker with every step of `plan` pending. */
  static fromPlan(plan: Plan): PlanTracker {
    const initialPlan = structuredClone(plan);
    return new PlanTracker({ version: 1, initialPlan, goal: plan.goal, rationale: plan.rationale }, plan.steps.map(fresh), []);
  }

  /** Rebuilds a tracker from `snapshot()` output. */
  static restore(snapshot: TrackerSnapshot): PlanTracker {
    const copy = structuredClone(snapshot);
    return new PlanTracker(
      { version: copy.version, initialPlan: copy.initialPlan, goal: copy.goal, rationale: copy.rationale },
      [...copy.steps],
      [...copy.revisions],
    );
  }

  /** The plan's goal. */
  get goal(): string {
    return this.state.goal;
  }

  /** Every step with its state, in plan order (copies). */
  list(): TrackedStep[] {
    return this.steps.map(copyStep);
  }

  /** One step's state (a copy); throws on an unknown id. */
  get(id: string): TrackedStep {
    const step = this.steps.find((candidate) => candidate.id === id);
    if (!step) throw new Error(`Unknown step id "${id}"`);
    return copyStep(step);
  }

  /** Every revision so far. */
  revisions(): PlanRevision[] {
    return structuredClone(this.revisionLog);
  }

  /** Marks a new attempt of a pending or failed step. */
  start(id: string): TrackedStep {
    return this.update(id, ['pending', 'failed'], (step) => ({ status: 'in_progress', attempts: step.attempts + 1, error: null }));
  }

  /** Records a step's output. */
  complete(id: string, output: string): TrackedStep {
    return this.update(id, ['in_progress'], () => ({ status: 'done', output, error: null }));
  }

  /**
   * Starts the next attempt of a step whose attempt failed and is retried: it stays in progress
   * through the wait, so its slot is not given to another step and a crash meanwhile counts.
   */
  retry(id: string): TrackedStep {
    return this.update(id, ['in_progress'], (step) => ({ attempts: step.attempts + 1, error: null }));
  }

  /** Records a failed attempt. */
  fail(id: string, error: string): TrackedStep {
    return this.update(id, ['in_progress'], () => ({ status: 'failed', error }));
  }

  /** Puts an interrupted attempt back to pending; the attempt still counts (it was recorded as cancelled). */
  interrupt(id: string): TrackedStep {
    return this.update(id, ['in_progress'], () => ({ status: 'pending' }));
  }

  /**
   * Puts an attempt that left no record (the process died during it) back to pending, uncounted.
   * @deprecated since 0.2: the engine counts such attempts with `crashed()`, so a step that kills its process cannot loop forever.
   */
  abandon(id: string): TrackedStep {
    return this.update(id, ['in_progress'], (step) => ({ status: 'pending', attempts: step.attempts - 1 }));
  }

  /**
   * Counts an attempt cut off by a crash (the attempt still counts too): back to pending, or
   * failed with `failWith` when the step has crashed too often to be started again.
   */
  crashed(id: string, failWith: string | null = null): TrackedStep {
    const status = failWith === null ? 'pending' : 'failed';
    return this.update(id, ['in_progress'], (step) => ({ status, crashes: (step.crashes ?? 0) + 1, ...(failWith === null ? {} : { error: failWith }) }));
  }

  /** Marks a failed step skipped and records the revision. */
  skip(id: string, reason: string): PlanRevision {
    const before = this.planSteps();
    this.update(id, ['failed', 'pending'], () => ({ status: 'skipped', error: reason }));
    return this.record({ kind: 'skip', reason, failedStepId: id, stepsBefore: before, stepsAfter: this.planSteps() });
  }

  /** Replaces every step not yet done with `steps`; done steps and their outputs stay. */
  revise(steps: readonly PlanStep[], reason: string, failedStepId: string | null, kind: 'revise' | 'edit' = 'revise'): PlanRevision {
    const before = this.planSteps();
    this.steps = [...this.steps.filter((step) => step.status === 'done'), ...steps.map(fresh)];
    return this.record({ kind, reason, failedStepId, stepsBefore: before, stepsAfter: this.planSteps() });
  }

  /** The done steps with their outputs (and meta), in plan order: what the replanner and the synthesizer see. */
  completed(): CompletedStep[] {
    return this.steps
      .filter((step) => step.status === 'done')
      .map(({ id, description, output, meta }) => ({ id, description, output: output ?? '', ...(meta === undefined ? {} : { meta: structuredClone(meta) }) }));
  }

  /** The current plan's steps without state. */
  planSteps(): PlanStep[] {
    return this.steps.map(toPlanStep);
  }

  /** Plain JSON of the whole state. */
  snapshot(): TrackerSnapshot {
    return structuredClone({ ...this.state, steps: this.steps, revisions: this.revisionLog });
  }

  private record(change: Omit<PlanRevision, 'revision'>): PlanRevision {
    const revision = { revision: this.revisionLog.length + 1, ...change };
    this.revisionLog.push(revision);
    return structuredClone(revision);
  }

  private update(id: string, from: readonly StepStatus[], change: (step: TrackedStep) => Partial<TrackedStep>): TrackedStep {
    const index = this.steps.findIndex((step) => step.id === id);
    const step = this.steps[index];
    if (!step) throw new Error(`Unknown step id "${id}"`);
    if (!from.includes(step.status)) throw new Error(`Step "${id}" is ${step.status}; expected ${from.join(' or ')}`);
    const next = { ...step, ...change(step) };
    this.steps[index] = next;
    return copyStep(next);
  }
}
