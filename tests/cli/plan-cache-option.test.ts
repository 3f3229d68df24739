import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { planCacheTarget } from '../../src/cli/plan-cache-option.ts';
import { RUN_USAGE } from '../../src/cli/usage.ts';

describe('--plan-cache', () => {
  it.each([
    ['plans.db', { kind: 'libsql', url: 'file:/home/me/plans.db' }],
    ['../shared/runs.db', { kind: 'libsql', url: 'file:/home/shared/runs.db' }],
    ['file:/var/lib/plans.db', { kind: 'libsql', url: 'file:/var/lib/plans.db' }],
    ['libsql://plans.example.org', { kind: 'libsql', url: 'libsql://plans.example.org' }],
    ['postgres://user:pw@db:5432/runs', { kind: 'postgres', connectionString: 'postgres://user:pw@db:5432/runs' }],
    ['postgresql://db/runs', { kind: 'postgres', connectionString: 'postgresql://db/runs' }],
  ])('reads %j as %j', (raw, target) => {
    expect(planCacheTarget(raw, '/home/me', RUN_USAGE)).toEqual(target);
  });

  it('is off without the flag and refuses an empty value', () => {
    expect(planCacheTarget(undefined, '/home/me', RUN_USAGE)).toBeUndefined();
    expect(() => planCacheTarget('  ', '/home/me', RUN_USAGE)).toThrow(new UsageError('--plan-cache must name a file or a database URL, got ""', RUN_USAGE));
  });
});
