/**
 * fleetDatabase, the database and secrets of `worker`, `submit`, `status` and `approve`: keys the
 * command reads from ./.env are redacted wherever the fleet writes (jobs, stored runs, output),
 * as `run` does, not only the database password.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetDatabase } from '../../src/cli/fleet-options.ts';
import { SUBMIT_USAGE } from '../../src/cli/usage.ts';
import { REDACTED } from '../../src/engine/redact.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

afterEach(removeTempDirs);

describe('fleetDatabase', () => {
  it("names the database password (as written and decoded) and the secrets of ./.env among what the fleet's agents redact", async () => {
    const cwd = makeTempDir('plan-execute-fleet-db-');
    writeFileSync(join(cwd, '.env'), 'OPENAI_API_KEY=sk-fromdotenv-0123456789\nPLANNER_MODEL=gpt-5-mini\n');
    const database = await fleetDatabase(undefined, { env: { PLAN_EXECUTE_DB: 'postgres://app:pa%40ss-1234@db:5432/fleet' }, cwd }, SUBMIT_USAGE);
    expect(database.secrets).toEqual(['pa%40ss-1234', 'pa@ss-1234', 'sk-fromdotenv-0123456789']);
    expect(database.redact('key sk-fromdotenv-0123456789, password pa@ss-1234')).toBe(`key ${REDACTED}, password ${REDACTED}`);
    expect(database.shown).toBe(`postgres://app:${REDACTED}@db:5432/fleet`);
  });
});
