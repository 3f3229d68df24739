import { createHash } from 'node:crypto';
import { expectInteger } from './option-checks.ts';
import type { Plan } from './plan-schema.ts';
import type { ToolInfo } from './ports.ts';

/**
 * Plans kept across runs, keyed by `planCacheKey`: a run whose key is stored skips the planner
 * (the plan is still validated against today's tools). Implement it over any store; `get` must
 * never return an expired plan. Errors are the caller's to absorb: the engine treats a failing
 * `get` as a miss and a failing `set` as not stored.
 */
export interface PlanCache {
  /** The plan stored under `key`, or null when there is none or it expired. */
  get(key: string): Promise<Plan | null>;
  /** Stores `plan` under `key` (replacing any) for `ttlMs` milliseconds. */
  set(key: string, plan: Plan, ttlMs: number): Promise<void>;
}

/** What a plan cache key is made of. */
export interface PlanCacheKeyInput {
  /** The task; normalised (trimmed, whitespace collapsed, lower-cased) before hashing. */
  readonly task: string;
  /** The tool catalogue: names, descriptions and input schemas. */
  readonly tools: readonly ToolInfo[];
  /** Who plans: the planner's model id and a hash of its instructions (see `plannerIdentity` in the agent layer). */
  readonly plannerIdentity: string;
}

/** A task as the cache compares it: trimmed, runs of whitespace made one space, lower-cased. */
export function normaliseTask(task: string): string {
  return task.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** JSON with object keys sorted, so two equal schemas written in another key order hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The cache key of a planning request: a SHA-256 (hex) of the normalised task, the tool catalogue
 * (sorted by name; each name, description and input schema) and the planner's identity. A new
 * tool, a changed schema, another model or other instructions give another key.
 */
export function planCacheKey({ task, tools, plannerIdentity }: PlanCacheKeyInput): string {
  const catalogue = [...tools]
    .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))
    .map(({ name, description, inputSchema }) => ({ name, description, inputSchema: inputSchema ?? null }));
  return createHash('sha256')
    .update(stableJson({ version: 1, task: normaliseTask(task), tools: catalogue, planner: plannerIdentity }))
    .digest('hex');
}

/** How many plans a cache keeps by default; the oldest go first. */
export const DEFAULT_PLAN_CACHE_MAX_ENTRIES = 1_000;

/** Options of {@link InMemoryPlanCache}. */
export interface InMemoryPlanCacheOptions {
  /** Plans kept at most; storing one more drops the least recently used. @default 1000 */
  readonly maxEntries?: number;
  /** The clock, in ms since the epoch (for tests). @default Date.now */
  readonly now?: () => number;
}

/**
 * A PlanCache in this process's memory: TTL per entry, at most `maxEntries` plans (least recently
 * used dropped first). Plans are stored as JSON, so a caller cannot change a stored plan.
 * @example new PlanAndExecute({ planner, executor, tools, planCache: new InMemoryPlanCache() })
 */
export class InMemoryPlanCache implements PlanCache {
  private readonly entries = new Map<string, { readonly json: string; readonly expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  /** Throws InvalidOptionsError when `maxEntries` is not a positive integer. */
  constructor({ maxEntries = DEFAULT_PLAN_CACHE_MAX_ENTRIES, now = Date.now }: InMemoryPlanCacheOptions = {}) {
    expectInteger('maxEntries', maxEntries, { min: 1 });
    this.maxEntries = maxEntries;
    this.now = now;
  }

  /** Plans stored and not yet dropped (expired ones included until read or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<Plan | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return null;
    // Re-inserted: a Map keeps insertion order, so the first key is always the least recently used.
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as Plan;
  }

  async set(key: string, plan: Plan, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(plan), expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
