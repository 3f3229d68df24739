import { raceAbort } from './abort.ts';
import { planCacheKey } from './plan-cache.ts';
import type { Plan } from './plan-schema.ts';
import type { RunContext } from './run-context.ts';
import { validatePlan, type PlanValidationContext } from './validate-plan.ts';

/*
 * The plan cache in a run: before the planner is asked, a plan stored under the run's key (task,
 * tools, planner) is taken if it still passes validation against today's tools; it is stored once
 * a run on the planner's plan completed with no revision (no replan, skip or edit), so only plans
 * that worked are reused. The cache is an optimisation: its failures never fail a run.
 */

// Runs whose plan came from the cache (in this process): their plan is not stored again, so a hit does not extend its own TTL.
const fromCache = new WeakSet<RunContext>();

/** The run's cache key, or null when the run has no plan cache. */
function cacheKeyOf(context: RunContext): string | null {
  const { planCache, tools, plannerIdentity = '' } = context.input;
  return planCache ? planCacheKey({ task: context.task, tools, plannerIdentity }) : null;
}

/**
 * The cached plan for this run when there is one and it passes `validation`; emits `plan-cached`
 * and then `plan-created` with attempt 0 (no planner attempt), so every view of a plan sees it.
 * Null on a miss, an invalid plan (dropped: the planner runs) or a cache error.
 */
export async function cachedPlan(context: RunContext, validation: PlanValidationContext): Promise<Plan | null> {
  const key = cacheKeyOf(context);
  if (key === null) return null;
  let stored: Plan | null;
  try {
    stored = await raceAbort(context.input.planCache!.get(key), context.signal);
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

/** Stores the run's initial plan when the run has a cache, planned with the planner, and ran the plan unrevised. Never throws. */
export async function rememberPlan(context: RunContext): Promise<void> {
  const key = cacheKeyOf(context);
  if (key === null || fromCache.has(context) || !context.hasPlan) return;
  const snapshot = context.tracker.snapshot();
  if (snapshot.revisions.length > 0) return;
  try {
    await raceAbort(context.input.planCache!.set(key, context.redact(snapshot.initialPlan), context.input.settings.planCacheTtlMs), context.signal);
  } catch {
    // Not stored: the next run plans again, which is what a run without a cache does.
  }
}
