/** The release example's behaviour-changing defaults, in one place. */
export const RELEASE_DEFAULTS = Object.freeze({
  /** Services released when the caller names none. */
  services: Object.freeze(['web']) as readonly string[],
});

/** Replan decisions a run may need: one fix per service, plus the decision that ends the run. */
export const replanBudget = (serviceCount: number): number => serviceCount + 1;

/** Longest plan accepted: the build, smoke + deploy + verify per service, and one fix per service. */
export const stepBudget = (serviceCount: number): number => 1 + 4 * serviceCount;
