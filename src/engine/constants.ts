/** Every behaviour-changing default of a run, in one place. */
export const DEFAULTS = Object.freeze({
  /** A failed step goes to the replanner instead of ending the run. */
  replanOnFailure: true,
  /** Replanner calls per run; each revise/skip/abort decision spends one. */
  maxReplans: 2,
  /** Re-runs of a step after a retryable error (model/API error, timeout, malformed answer). */
  maxRetries: 1,
  /** Model calls inside one step's tool loop (bounded ReAct). */
  maxStepIterations: 5,
  /** Longest plan accepted, done steps of a revision included. */
  maxSteps: 10,
  /** Independent steps run at once; 1 runs the plan strictly in order. */
  concurrency: 4,
  /** Times an invalid plan or revision is sent back to the planner with the validator's messages. */
  maxPlanRepairs: 2,
  /** Merge the step outputs with the synthesizer. */
  synthesize: true,
});
