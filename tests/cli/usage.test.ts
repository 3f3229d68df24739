import { describe, expect, it } from 'vitest';
import { DEMO_USAGE, MAIN_USAGE, RELEASE_USAGE, RUN_USAGE } from '../../src/cli/usage.ts';
import { runCli, runMain } from './helpers/run-cli.ts';

// In this process through runMain (the spawned CLI is covered by the --help cases and bin.test).

describe('plan-execute --help', () => {
  it.each([
    [['--help'], MAIN_USAGE],
    [['-h'], MAIN_USAGE],
    [['run', '--help'], RUN_USAGE],
    [['release', '-h'], RELEASE_USAGE],
    [['demo', '--help'], DEMO_USAGE],
  ])('%j prints the usage on stdout and exits 0', async (args, usage) => {
    const { code, stdout, stderr } = await runCli(args);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${usage}\n`, stderr: '' });
  });

  it('documents every command, flag and exit code', () => {
    const exitCodes =
      'Exit codes: 0 completed, 1 failed, 2 aborted or rejected, 64 usage error,\n69 model server unreachable, 70 internal error, 76 model server refused a request,\n78 no model configured, 130 interrupted (Ctrl-C).';
    expect(MAIN_USAGE).toContain(exitCodes);
    expect(RUN_USAGE).toContain(exitCodes);
    for (const flag of [
      '--workspace <dir>',
      '--allow <programs>',
      '--approve',
      '--max-replans <n>',
      '--concurrency <n>',
      '--max-tokens <n>',
      '--plan-cache <file|url>',
      '--stream-plan',
      '--verbose',
      '--json',
    ])
      expect(RUN_USAGE).toContain(flag);
    for (const flag of ['--env <env>', '--services <list>', '--concurrency <n>', '--latency <ms>', '--json']) expect(RELEASE_USAGE).toContain(flag);
    for (const flag of ['--latency <ms>', '--json']) expect(DEMO_USAGE).toContain(flag);
    expect(DEMO_USAGE).toContain('(default 150 on a');
    expect(`${MAIN_USAGE}${RUN_USAGE}${RELEASE_USAGE}${DEMO_USAGE}`).not.toContain('${');
  });
});

describe('plan-execute usage errors', () => {
  const usageError = (who: string, message: string, usageLine: string) => `${who}: ${message}\n${usageLine}\nRun '${who} --help' for more.\n`;
  const MAIN = 'Usage: plan-execute <command> [options]';
  const RUN = 'Usage: plan-execute run "<task>" [options]';
  const RELEASE = 'Usage: plan-execute release <version> --env staging|production [options]';
  const DEMO = 'Usage: plan-execute demo [options]';

  it.each([
    [[], usageError('plan-execute', 'missing command', MAIN)],
    [['deploy'], usageError('plan-execute', "unknown command 'deploy'", MAIN)],
    [['--verbose'], usageError('plan-execute', "unknown option '--verbose'", MAIN)],
    [['run'], usageError('plan-execute run', 'missing the task', RUN)],
    [['run', 'a', 'b'], usageError('plan-execute run', 'unexpected argument "b"', RUN)],
    [['run', 'task', '--verbos'], usageError('plan-execute run', "unknown option '--verbos'", RUN)],
    [
      ['run', 'task', '--allow', 'python3,'],
      usageError('plan-execute run', '--allow must be a comma-separated list of programs, such as python3,ls, got "python3,"', RUN),
    ],
    [['run', 'task', '--workspace='], usageError('plan-execute run', '--workspace must name a directory, got ""', RUN)],
    [['run', 'task', '--plan-cache', ' '], usageError('plan-execute run', '--plan-cache must name a file or a database URL, got ""', RUN)],
    [['run', 'task', '--concurrency', '0'], usageError('plan-execute run', '--concurrency must be an integer from 1 and up, got "0"', RUN)],
    [['run', 'task', '--max-replans=-1'], usageError('plan-execute run', '--max-replans must be an integer from 0 and up, got "-1"', RUN)],
    [
      ['run', 'task', '--max-replans', '-1'],
      usageError(
        'plan-execute run',
        "option '--max-replans' argument is ambiguous; to specify an option argument starting with a dash use '--max-replans=-XYZ'",
        RUN,
      ),
    ],
    [['run', 'task', '--max-tokens', '1.5'], usageError('plan-execute run', '--max-tokens must be an integer from 1 and up, got "1.5"', RUN)],
    [['run', 'task', '--max-tokens'], usageError('plan-execute run', "option '--max-tokens <value>' argument missing", RUN)],
    [['run', 'task', '--json=yes'], usageError('plan-execute run', "option '--json' does not take an argument", RUN)],
    [
      ['run', 'task', '--stream-plan', '--approve'],
      usageError(
        'plan-execute run',
        '--stream-plan starts steps before the plan is whole, and --approve shows the plan before anything runs: use one of them',
        RUN,
      ),
    ],
    [['release', '--env', 'staging'], usageError('plan-execute release', 'missing the version', RELEASE)],
    [['release', '1.4.2'], usageError('plan-execute release', 'missing --env (staging or production)', RELEASE)],
    [['release', '1.4.2', '--env', 'qa'], usageError('plan-execute release', '--env must be staging or production, got "qa"', RELEASE)],
    // Node's timers are 32-bit: a longer latency would fire at once (TimeoutOverflowWarning), not wait.
    [
      ['release', '1.4.2', '--env', 'staging', '--latency', '2147483648'],
      usageError('plan-execute release', '--latency must be at most 2147483647, got "2147483648"', RELEASE),
    ],
    [
      ['run', 'task', '--concurrency', '99999999999999999999'],
      usageError('plan-execute run', '--concurrency must be at most 2147483647, got "99999999999999999999"', RUN),
    ],
    [
      ['release', '1.4.2', '--env', 'staging', '--services', 'web,'],
      usageError('plan-execute release', '--services must be a comma-separated list of names, got "web,"', RELEASE),
    ],
    [
      ['release', '1.4.2', '--env', 'staging', '--latency', 'slow'],
      usageError('plan-execute release', '--latency must be an integer from 0 and up, got "slow"', RELEASE),
    ],
    [['demo', 'now'], usageError('plan-execute demo', 'unexpected argument "now"', DEMO)],
    [['demo', '--fast'], usageError('plan-execute demo', "unknown option '--fast'", DEMO)],
  ])('%j exits 64 with the problem and the usage line on stderr', async (args, stderr) => {
    expect(await runMain(args)).toEqual({ code: 64, signal: null, stdout: '', stderr });
  });

  it('exits 64 with the problem and the usage line on stderr from the spawned CLI too', async () => {
    expect(await runCli(['run'])).toEqual({ code: 64, signal: null, stdout: '', stderr: usageError('plan-execute run', 'missing the task', RUN) });
  });

  it('reports a service name the release example rejects as a usage error', async () => {
    const outcome = await runMain(['release', '1.4.2', '--env', 'staging', '--services', 'Web']);
    expect(outcome.code).toBe(64);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toBe(
      `plan-execute release: Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got "Web" (string)\n${RELEASE}\nRun 'plan-execute release --help' for more.\n`,
    );
  }, 60_000);
});
