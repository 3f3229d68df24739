/**
 * What `run`'s --workspace and --allow mean, without loading the tools (which load Mastra):
 * `run --help` and usage errors stay fast.
 */
import path from 'node:path';
import { UsageError } from './args.ts';

/**
 * Programs `runCommand` may run when --allow is not given: none, so `run` offers no `runCommand`
 * at all. The file tools already read, write and list inside the workspace, confined. A program is
 * code the model chooses to run: outside a command sandbox it has the user's rights (even `ls`
 * lists any directory, `cat` reads /proc/<pid>/environ with the CLI's API key, issue 9), and
 * `python3` runs anything. Which programs a task may run is the user's call, made with --allow.
 */
export const CLI_ALLOWED_COMMANDS: readonly string[] = Object.freeze([]);

/**
 * The workspace when neither --workspace nor PLAN_EXECUTE_WORKSPACE names one: `./workspace`, the
 * playground's default too. A fixed folder keeps what a run wrote where the next run (and the
 * user) can find it; a folder of its own keeps the files beside it out of the executor's reach.
 */
export const DEFAULT_WORKSPACE_DIR = 'workspace';

/** The variable the playground reads its workspace from; `run` honours it too. */
export const WORKSPACE_VARIABLE = 'PLAN_EXECUTE_WORKSPACE';

/** The names of the executor's file tools, always given (`run --help` lists them). */
export const FILE_TOOL_NAMES = ['readFile', 'writeFile', 'listFiles'] as const;

/** The name of the command tool, given only with an allow-list. */
export const COMMAND_TOOL_NAME = 'runCommand';

/** The absolute workspace folder: --workspace, else $PLAN_EXECUTE_WORKSPACE, else ./workspace; relative to `cwd`. */
export function workspaceDirFor(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string, usage: string): string {
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--workspace must name a directory, got ""', usage);
  const chosen = flag ?? (env[WORKSPACE_VARIABLE]?.trim() || DEFAULT_WORKSPACE_DIR);
  return path.resolve(cwd, chosen);
}

/** The programs of `--allow python3,ls`; the default list without the flag; a UsageError for an empty name. */
export function parseAllowList(raw: string | undefined, usage: string): readonly string[] {
  if (raw === undefined) return CLI_ALLOWED_COMMANDS;
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => name === '' || name.includes('\0'))) {
    throw new UsageError(`--allow must be a comma-separated list of programs, such as python3,ls, got ${JSON.stringify(raw)}`, usage);
  }
  return [...new Set(names)];
}
