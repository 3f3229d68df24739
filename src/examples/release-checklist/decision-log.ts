import type { PlanRunEvent } from '../../engine/events.ts';
import type { ReleaseReplanDecision } from './schemas.ts';

/**
 * The replan decisions of one run that the engine accepted, in order. A decision is recorded when
 * the replanner gives it; the engine checks a revision right away and reports a rejected one with
 * the very next event (`plan-invalid`), which takes it back out.
 */
export class DecisionLog {
  private readonly accepted: ReleaseReplanDecision[] = [];
  private awaitingVerdict = false;

  /** Records a decision the replanner just gave. */
  propose(decision: ReleaseReplanDecision): void {
    this.accepted.push(decision);
    this.awaitingVerdict = true;
  }

  /** Sees every run event; `plan-invalid` right after a proposal rejects it. */
  observe(event: PlanRunEvent): void {
    if (this.awaitingVerdict && event.type === 'plan-invalid') this.accepted.pop();
    this.awaitingVerdict = false;
  }

  /** The accepted decisions, in order. */
  list(): ReleaseReplanDecision[] {
    return structuredClone(this.accepted);
  }
}
