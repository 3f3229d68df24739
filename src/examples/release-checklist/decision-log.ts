import type { PlanRunEvent } from '../../engine/events.ts';
import type { ReleaseReplanDecision } from './schemas.ts';

/**
 * The replan decisions of one run that the engine accepted, in order. The replanner's latest
 * proposal is held until the engine reports it applied (`replan-decided`); a proposal the engine
 * rejected is replaced by the next one and never recorded.
 */
export class DecisionLog {
  private readonly accepted: ReleaseReplanDecision[] = [];
  private proposal: ReleaseReplanDecision | null = null;

  /** Holds a decision the replanner just gave. */
  propose(decision: ReleaseReplanDecision): void {
    this.proposal = decision;
  }

  /** Sees every run event; `replan-decided` records the proposal the engine applied. */
  observe(event: PlanRunEvent): void {
    if (event.type !== 'replan-decided' || !this.proposal) return;
    this.accepted.push(this.proposal);
    this.proposal = null;
  }

  /** The accepted decisions, in order. */
  list(): ReleaseReplanDecision[] {
    return structuredClone(this.accepted);
  }
}
