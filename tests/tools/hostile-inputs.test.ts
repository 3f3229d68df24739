import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOSTILE_CASES, MEASUREMENTS } from './hostile-cases.ts';
import { bubblewrap, SANDBOX_ROWS, type Outcome } from './hostile-helpers.ts';
import { createSandbox, OUTSIDE_FILES, type Sandbox } from './sandbox.ts';

/** What each row measured, printed at the end: the numbers the README's "Guarantees" quote. */
const tally = new Map<string, Record<Outcome, string[]>>();

afterAll(() => {
  for (const [label, outcomes] of tally) {
    const counts = (Object.keys(outcomes) as Outcome[]).map((outcome) => `${outcomes[outcome].length} ${outcome}`).join(', ');
    const escaped = outcomes.escaped.length > 0 ? ` — escaped: ${outcomes.escaped.join('; ')}` : '';
    console.log(`hostile inputs ${label}: ${counts}${escaped}`);
  }
  for (const measurement of MEASUREMENTS) console.log(measurement);
});

describe.each(SANDBOX_ROWS)('hostile inputs $label', ({ mode, label }) => {
  let sandbox: Sandbox;
  let escapedHere = false;
  beforeEach(async () => {
    sandbox = await createSandbox();
  });
  afterEach(async () => {
    // Whatever a case did, the folder outside the workspace is as it was unless the case reported an escape.
    const outside = await sandbox.outsideFiles();
    await sandbox.remove();
    if (!escapedHere) expect(outside).toEqual(OUTSIDE_FILES);
  });

  it.each(HOSTILE_CASES.filter((hostile) => hostile.expected[mode] !== undefined))('$name', async (hostile) => {
    escapedHere = false;
    const outcome = await hostile.attempt({ sandbox, mode });
    escapedHere = outcome === 'escaped';
    const row = tally.get(label) ?? { refused: [], harmless: [], escaped: [] };
    tally.set(label, row);
    row[outcome].push(hostile.name);
    expect(outcome).toBe(hostile.expected[mode]);
  });
});

describe.runIf(process.env.CI === 'true')('bubblewrap in CI', () => {
  it('is installed and usable (.ci/run installs it)', () => {
    expect(bubblewrap).toMatchObject({ usable: true });
  });
});
