/**
 * What `run --plan-cache <file or url>` means, without loading the stores until a run needs one.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { PlanCache } from '../engine/plan-cache.ts';
import { UsageError } from './args.ts';

/** Where --plan-cache keeps plans: a PostgreSQL database, or a LibSQL database (a local file or a libsql server). */
export type PlanCacheTarget = { readonly kind: 'postgres'; readonly connectionString: string } | { readonly kind: 'libsql'; readonly url: string };

/** An open plan cache and what closes it. */
export interface OpenPlanCache {
  readonly cache: PlanCache;
  close(): Promise<void>;
}

/**
 * The --plan-cache value as a target: `postgres://…` or `postgresql://…` is PostgreSQL; `file:…`,
 * `libsql://…`, `http(s)://…` a LibSQL URL; anything else a file path (relative to `cwd`) for a
 * LibSQL file, which may be the run store's. Undefined without the flag; a UsageError for "", another
 * URL scheme, or a file in a folder that does not exist.
 */
export function planCacheTarget(raw: string | undefined, cwd: string, usage: string): PlanCacheTarget | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value === '') throw new UsageError('--plan-cache must name a file or a database URL, got ""', usage);
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', connectionString: value };
  if (/^(file:|libsql:\/\/|https?:\/\/)/i.test(value)) return { kind: 'libsql', url: value };
  // A cache that cannot be opened is a miss on every run, never an error: say so now, not never.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme) throw new UsageError(`--plan-cache takes a file, or a file:, libsql://, http(s):// or postgres:// URL, got a ${scheme}:// URL`, usage);
  const file = path.resolve(cwd, value);
  if (!isDirectory(path.dirname(file))) throw new UsageError(`--plan-cache ${value}: the folder ${path.dirname(file)} does not exist`, usage);
  return { kind: 'libsql', url: `file:${file}` };
}

function isDirectory(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

/** Opens the cache `target` names (the store modules are loaded here, once a run needs them). */
export async function openPlanCache(target: PlanCacheTarget): Promise<OpenPlanCache> {
  if (target.kind === 'postgres') {
    const { PostgresPlanCache } = await import('../storage/postgres-plan-cache.ts');
    const cache = new PostgresPlanCache({ connectionString: target.connectionString });
    return { cache, close: () => cache.close() };
  }
  const { LibSQLPlanCache } = await import('../storage/libsql-plan-cache.ts');
  const cache = new LibSQLPlanCache({ url: target.url });
  return { cache, close: async () => cache.close() };
}
