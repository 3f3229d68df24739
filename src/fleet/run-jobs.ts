import type { Plan } from '../engine/plan-schema.ts';

/** How a run's steps are executed: all on the worker that holds the run, or each as a job any worker may take. */
export type FleetStepMode = 'run' | 'steps';

/** A run job's data: what a worker does with the run. */
export type RunJobData =
  | {
      /** Start the run (or resume it after a takeover). */
      readonly kind: 'start';
      readonly runId: string;
      readonly task: string;
      /** Plan, then wait for `approveRun` holding no worker. */
      readonly approval: boolean;
      readonly stepMode: FleetStepMode;
    }
  | {
      /** Carry on a run that waited for approval: approved (true or an edited plan), rejected (false). */
      readonly kind: 'verdict';
      readonly runId: string;
      readonly task: string;
      readonly verdict: boolean | Plan;
      readonly stepMode: FleetStepMode;
    }
  | {
      /** End a run that no worker holds (queued or waiting for approval) as `cancelled`. */
      readonly kind: 'cancel';
      readonly runId: string;
      readonly task: string;
    };
