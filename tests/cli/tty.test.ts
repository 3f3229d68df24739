import { execFile } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, EMPTY_DIR, TSX } from './helpers/run-cli.ts';

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';

/**
 * Runs the CLI on a pseudo-terminal of 120 × 40 with util-linux `script` (no native module), and
 * returns what the terminal received and the exit code.
 */
function runInTerminal(args: string): Promise<{ code: number | null; output: string; text: string }> {
  const command = `stty rows 40 cols 120; ${TSX} ${CLI} ${args}`;
  return new Promise((resolve) => {
    execFile('script', ['-qfec', command, '/dev/null'], { cwd: EMPTY_DIR, env: cliEnv(), timeout: 60_000 }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: stdout, text: stripVTControlCharacters(stdout).replaceAll('\r', '') });
    });
  });
}

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
      '  ○ deploy-web  [deploy web] Deploy 1.4.3 of web to staging',
      '  ✖ smoke-web   [smoke web] Run the smoke suite of 1.4.3 against web — smoke failed for web@1.4.3: missing_migration (…',
      '    ✖ smoke-web   [smoke web] Run the smoke suite of 1.4.3 against web — smoke failed for web@1.4.3: missing_migration…',
      '  replaced by revision 1: missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite a…',
      '    ⊘ deploy-web  [deploy web] Deploy 1.4.3 of web to staging — replaced',
      '  ✔ fix-web     [fix web] Apply the missing_migration fix to web for 1.4.3 — applied the missing_migration fix to web@…',
      '  ✔ verify-web  [verify web] Check web is healthy on 1.4.3 — web@1.4.3 healthy: 5/5 checks green, p95 182 ms, error ra…',
      '✔ completed',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] smoke-web {3}\[smoke web\]/); // a running step spins
    expect(text.endsWith(`✔ completed

release 1.4.3 to staging (web): succeeded after a replan
  decision: insert_fix fix-web: missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again before deploying.
  attempts: build ok, smoke-web failed, fix-web ok, smoke-web ok, deploy-web ok, verify-web ok
`)).toBe(true);
  });

  it('release 1.5.0 ends with the failed check and the abort, and exits 2', async () => {
    const { code, text } = await runInTerminal('release 1.5.0 --env production');
    expect(code).toBe(2);
    expect(text).toContain('  ✖ verify-web  [verify web] Check web is healthy on 1.5.0 — health check failed for web@1.5.0: downstream_db_unreacha…');
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
