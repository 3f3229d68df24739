import { describe, expect, it } from 'vitest';
import { runInTerminal } from './helpers/run-in-terminal.ts';

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';

describe('on a terminal', { timeout: 90_000 }, () => {
  it('release 1.4.3 draws the plan as a checklist updated in place, ending with every step done', async () => {
    const { code, output, text } = await runInTerminal('release 1.4.3 --env staging --latency 50');
    expect(code).toBe(0);
    // log-update redraws in place: the cursor is hidden while it draws and shown again at the end.
    expect(output).toContain(HIDE_CURSOR);
    expect(output).toContain(SHOW_CURSOR);
    expect(output).toContain('\u001B[32m✔\u001B[39m'); // green done mark
    expect(text).not.toContain('> build started'); // no plain progress lines
    for (const line of [
      'Release 1.4.3 to staging for web: fetch the build once, then smoke-test, deploy and verify each service.',
      'goal: Release 1.4.3 of web to staging',
      '  ○ deploy-web  Deploy 1.4.3 of web to staging',
      '  ✖ smoke-web   Run the smoke suite of 1.4.3 against web — smoke failed for web@1.4.3: missing_migration (column invoi…',
      '    ✖ smoke-web   Run the smoke suite of 1.4.3 against web — smoke failed for web@1.4.3: missing_migration (column inv…',
      '  replaced by revision 1: missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite a…',
      '    ⊘ deploy-web  Deploy 1.4.3 of web to staging — replaced',
      '  ✔ fix-web     Apply the missing_migration fix to web for 1.4.3 — applied the missing_migration fix to web@1.4.3',
      '  ✔ verify-web  Check web is healthy on 1.4.3 — web@1.4.3 healthy: 5/5 checks green, p95 182 ms, error rate 0.0%',
      '✔ completed',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] smoke-web {3}Run the smoke suite/); // a running step spins
    expect(
      text.endsWith(`✔ completed

release 1.4.3 to staging (web): succeeded after a replan
  decision: insert_fix fix-web: missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again before deploying.
  attempts: build ok, smoke-web failed, fix-web ok, smoke-web ok, deploy-web ok, verify-web ok
`),
    ).toBe(true);
  });

  it('release 1.5.0 ends with the failed check and the abort, and exits 2', async () => {
    const { code, text } = await runInTerminal('release 1.5.0 --env production');
    expect(code).toBe(2);
    expect(text).toContain('  ✖ verify-web  Check web is healthy on 1.5.0 — health check failed for web@1.5.0: downstream_db_unreachable (orders-d…');
    expect(text).toContain('■ aborted: The run was aborted: web@1.5.0 is deployed but unhealthy; rolling back is left to the caller. health check …');
  });

  it('demo shows the three live checklists and their outcomes one after another', async () => {
    const { code, text } = await runInTerminal('demo');
    expect(code).toBe(0);
    const outcomes = text.split('\n').filter((line) => line.startsWith('release ') || /^[✔■] (completed|aborted)/.test(line));
    expect(outcomes).toEqual([
      '✔ completed',
      'release 1.4.2 to staging (web): succeeded',
      '✔ completed',
      'release 1.4.3 to staging (web): succeeded after a replan',
      expect.stringMatching(/^■ aborted: The run was aborted: web@1\.5\.0 is deployed but unhealthy/),
      'release 1.5.0 to staging (web): aborted',
    ]);
  });
});
