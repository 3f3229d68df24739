import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { planCacheTarget } from '../../src/cli/plan-cache-option.ts';
import { RUN_USAGE } from '../../src/cli/usage.ts';

describe('--plan-cache', () => {
  it.each([
    ['plans.db', { kind: 'libsql', url: 'file:/usr/lib/plans.db' }],
    ['../share/runs.db', { kind: 'libsql', url: 'file:/usr/share/runs.db' }],
    ['file:/var/lib/plans.db', { kind: 'libsql', url: 'file:/var/lib/plans.db' }],
    ['libsql://plans.example.org', { kind: 'libsql', url: 'libsql://plans.example.org' }],
    ['postgres://user:pw@db:5432/runs', { kind: 'postgres', connectionString: 'postgres://user:pw@db:5432/runs' }],
    ['postgresql://db/runs', { kind: 'postgres', connectionString: 'postgresql://db/runs' }],
  ])('reads %j as %j', (raw, target) => {
    expect(planCacheTarget(raw, '/usr/lib', RUN_USAGE)).toEqual(target);
  });

  it('is off without the flag and refuses an empty value', () => {
    expect(planCacheTarget(undefined, '/home/me', RUN_USAGE)).toBeUndefined();
    expect(() => planCacheTarget('  ', '/home/me', RUN_USAGE)).toThrow(new UsageError('--plan-cache must name a file or a database URL, got ""', RUN_USAGE));
  });

  it('refuses a URL of another database and a file in a folder that does not exist: a cache that cannot open would only ever miss', () => {
    expect(() => planCacheTarget('mysql://db/plans', '/usr/lib', RUN_USAGE)).toThrow(
      new UsageError('--plan-cache takes a file, or a file:, libsql://, http(s):// or postgres:// URL, got a mysql:// URL', RUN_USAGE),
    );
    expect(() => planCacheTarget('missing-folder/plans.db', '/usr/lib', RUN_USAGE)).toThrow(
      new UsageError('--plan-cache missing-folder/plans.db: the folder /usr/lib/missing-folder does not exist', RUN_USAGE),
    );
  });
});
