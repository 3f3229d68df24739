import { decideFailure, type StepFailure } from './policy.ts';
import type { RunSettings } from './settings.ts';
import type { PlanTracker } from './tracker.ts';

/*
 * A step that kills its process must not be restarted forever (issue 9): its attempt is stored
 * before the executor runs (runStep), and a reopened run counts every step still `in_progress` as a crash.
 */

/**
 * Counts a crash for every step a stored record left in progress: back to pending while it has
 * crashed at most `maxCrashRestarts` times, failed for good after that. Returns the failures for
 * the failure policy to handle (a `retry` verdict is turned into `fail`: the step would crash again).
 */
export function countCrashes(tracker: PlanTracker, settings: RunSettings, replansUsed: number): StepFailure[] {
  const failures: StepFailure[] = [];
  for (const step of tracker.list()) {
    if (step.status !== 'in_progress') continue;
    const crashes = (step.crashes ?? 0) + 1;
    if (crashes <= settings.maxCrashRestarts) {
      tracker.crashed(step.id);
      continue;
    }
    const error = `Step "${step.id}" was cut off by a crash ${crashes} times (maxCrashRestarts: ${settings.maxCrashRestarts}); it is not started again`;
    tracker.crashed(step.id, error);
    // A step that crashed this often would crash again: a `retry` verdict becomes `fail`.
    const action = decideFailure(settings, { stepId: step.id, error, retryable: false, attempts: step.attempts, replansUsed }, 0, error);
    failures.push({ stepId: step.id, error, action: action as StepFailure['action'] });
  }
  return failures;
}
