import { raceAbort } from './abort.ts';
import { planCacheKey } from './plan-cache.ts';
import type { Plan } from './plan-schema.ts';
import type { RunContext } from './run-context.ts';
import { withTimeLimit } from './time-limit.ts';
import { validatePlan, type PlanValidationContext } from './validate-plan.ts';

/*
 * The plan cache in a run: before the planner is asked, a plan stored under the run's key (task,
 * tools, planner) is taken if it still passes validation against today's tools; it is stored once
 * a run on the planner's plan completed with no revision (no replan, skip or edit), so only plans
 * that worked are reused. The cache is an optimisation: its failures never fail a run, and it
 * never holds one: a call with no answer within `callTimeoutMs` is given up on (a lookup slower
 * than the planner call it would save is of no use), as a failed one is.
 */

// Runs whose plan came from the cache (in this process): their plan is not stored again, so a hit does not extend its own TTL.
const fromCache = new WeakSet<RunContext>();

/** `call` of the plan cache as the run waits for it: until `callTimeoutMs` pass or the run is cancelled. */
function cacheCall<T>(context: RunContext, call: Promise<T>): Promise<T> {
  const { callTimeoutMs } = context.input.settings;
  const bounded = withTimeLimit(call, callTimeoutMs, () => new Error(`The plan cache gave no answer within ${callTimeoutMs} ms (callTimeoutMs)`));
  return raceAbort(bounded, context.signal);
}

/** The run's cache key, or null when the run has no plan cache. */
function cacheKeyOf(context: RunContext): string | null {
  const { planCache, tools, plannerIdentity = '' } = context.input;
  return planCache ? planCacheKey({ task: context.task, tools, plannerIdentity }) : null;
}

/**
 * The cached plan for this run when there is one and it passes `validation`; emits `plan-cached`
 * and then `plan-created` with attempt 0 (no planner attempt), so every view of a plan sees it.
 * Null on a miss, an invalid plan (dropped: the planner runs), a cache error or no answer within
 * `callTimeoutMs`; throws only when the run is cancelled meanwhile.
 */
export async function cachedPlan(context: RunContext, validation: PlanValidationContext): Promise<Plan | null> {
  const key = cacheKeyOf(context);
  if (key === null) return null;
  let stored: Plan | null;
  try {
    stored = await cacheCall(context, context.input.planCache!.get(key));
  } catch (error) {
    if (context.signal.aborted) throw error;
    return null;
  }
  if (!stored) return null;
  const verdict = validatePlan(stored, validation);
  if (!verdict.ok) return null;
  const plan = context.redact(verdict.plan);
  fromCache.add(context);
  context.emit({ type: 'plan-cached', plan, key });
  context.emit({ type: 'plan-created', plan, attempt: 0 });
  return plan;
}

/**
 * Stores the run's initial plan when the run has a cache, planned with the planner, and ran the
 * plan unrevised. Never throws; waits no longer than `callTimeoutMs` or the run's cancellation.
 */
export async function rememberPlan(context: RunContext): Promise<void> {
  const key = cacheKeyOf(context);
  if (key === null || fromCache.has(context) || !context.hasPlan) return;
  const snapshot = context.tracker.snapshot();
  if (snapshot.revisions.length > 0) return;
  try {
    await cacheCall(context, context.input.planCache!.set(key, context.redact(snapshot.initialPlan), context.input.settings.planCacheTtlMs));
  } catch {
    // Not stored (or not known to be): the next run plans again, which is what a run without a cache does.
  }
}
