import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { InvalidOptionsError } from '../engine/errors.ts';
import { expectInteger, MAX_TIMER_MS } from '../engine/option-checks.ts';
import { positiveInteger } from './check-option.ts';
import { createCommandSandbox, type CommandSandbox, type SandboxMode } from './command-sandbox.ts';
import { TOOL_DEFAULTS } from './constants.ts';
import { isPathQualified, resolveCommand } from './resolve-command.ts';
import { runProcess, type ProcessRun } from './run-process.ts';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

/** Options of {@link createRunCommandTool}. */
export interface RunCommandToolOptions {
  /** The directory commands run in (their default cwd and HOME). */
  readonly workspace: Workspace;
  /** Programs that may run, by bare name (looked up on PATH); a path entry (".venv/bin/python", "/usr/bin/git") allows exactly that path. */
  readonly allowedCommands: readonly string[];
  /** Time limit of one command (at most 2³¹−1); then it and everything it started are killed. @default 30000 */
  readonly timeoutMs?: number;
  /** Bytes of stdout + stderr kept; the rest is discarded and `truncated` set. @default 65536 (64 KiB) */
  readonly maxOutputBytes?: number;
  /**
   * Extra environment variables, on top of PATH, HOME (= the workspace root) and LANG. Nothing else
   * is inherited. PATH is the sandbox's `/usr/local/bin:/usr/bin:/bin` with bubblewrap, this
   * process's PATH without. @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * How commands are isolated. `auto`: inside a bubblewrap sandbox when `bwrap` is installed and
   * works (new PID, network, IPC, UTS and user namespaces, no capabilities, the workspace the only
   * writable folder, system folders read-only, a fresh /proc, a private /tmp); otherwise unconfined,
   * with a one-time process warning and a sentence in the tool's description. `required`: bubblewrap
   * or InvalidOptionsError at creation. `off`: never sandboxed. @default 'auto'
   */
  readonly sandbox?: SandboxMode;
  /** Let sandboxed commands reach the network (pip, git fetch). Without bubblewrap commands always can. @default false */
  readonly allowNetwork?: boolean;
  /**
   * Extra host paths sandboxed commands see read-only at the same path (a pyenv, a node install).
   * The workspace is mounted after them, so it stays writable even inside one. @default []
   */
  readonly readOnlyPaths?: readonly string[];
  /** The bwrap program. @default `bwrap` looked up on PATH */
  readonly bubblewrap?: string;
}

/** A command that ran (whatever its exit code). */
export const CommandRunSchema = z.object({
  ok: z.boolean().describe('true when the command exited with code 0 within the time limit'),
  exitCode: z.number().int().nullable().describe('The exit code; null when the process was killed by a signal'),
  signal: z.string().nullable().describe('The signal that killed the process (e.g. "SIGKILL"), or null'),
  stdout: z.string().describe('Standard output (cut when truncated)'),
  stderr: z.string().describe('Standard error (cut when truncated)'),
  truncated: z.boolean().describe('true when the output went over the limit and the rest was discarded'),
  timedOut: z.boolean().describe('true when the command ran past the time limit and was killed'),
  durationMs: z.number().int().describe('Wall-clock time the command took, in milliseconds'),
  error: z.string().optional().describe('Why the run counts as failed; present only when ok is false'),
});

/** A command that ran. */
export type CommandRun = z.infer<typeof CommandRunSchema>;

function checkOptions({ allowedCommands, env = {} }: RunCommandToolOptions): void {
  if (!Array.isArray(allowedCommands) || allowedCommands.length === 0) {
    throw new InvalidOptionsError(`Expected \`allowedCommands\` to be a non-empty array of command names, got ${JSON.stringify(allowedCommands)}`);
  }
  for (const command of allowedCommands) {
    const isValid = typeof command === 'string' && command.trim() !== '' && !command.includes('\0');
    const escapes = isValid && isPathQualified(command) && !path.isAbsolute(command) && path.normalize(command).startsWith('..');
    if (!isValid || escapes) {
      throw new InvalidOptionsError(
        `Expected every entry of \`allowedCommands\` to be a program name or a path inside the workspace, got ${JSON.stringify(command)}`,
      );
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new InvalidOptionsError(`Expected \`env.${name}\` to be a string, got ${String(value)} (${typeof value})`);
  }
}

/** Why a finished run counts as failed, or undefined when it succeeded. */
function failureReason(run: ProcessRun, { timeoutMs, killAfterBytes }: { timeoutMs: number; killAfterBytes: number }): string | undefined {
  if (run.timedOut) return `Timed out after ${timeoutMs} ms; the command and everything it started were killed`;
  if (run.cancelled) return 'Cancelled; the command and everything it started were killed';
  if (run.outputLimitHit) return `Printed more than ${killAfterBytes} bytes; the command was killed and only the start of its output kept`;
  if (run.exitCode !== 0) return run.exitCode === null ? `Killed by signal ${run.signal}` : `Exited with code ${run.exitCode}`;
  return undefined;
}

async function resolveCwd(workspace: Workspace, cwd: string | undefined) {
  try {
    const directory = await workspace.resolve(cwd ?? '.');
    return (await stat(directory)).isDirectory() ? { directory } : toolFailure(`cwd ${JSON.stringify(cwd)} is not a directory`);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`cwd ${JSON.stringify(cwd)}`, error));
  }
}

/** What every call of one tool shares. */
interface CommandSetting {
  readonly workspace: Workspace;
  readonly allowedCommands: readonly string[];
  readonly sandbox: CommandSandbox;
}

/** The process to spawn for `command` (resolved as the sandbox sees it) in `cwd`, or why it cannot run. */
async function prepareRun(command: string, args: readonly string[], cwd: string | undefined, setting: CommandSetting) {
  const { workspace, allowedCommands, sandbox } = setting;
  const resolved = await resolveCommand(command, { allowedCommands, workspace, searchPath: sandbox.searchPath });
  if ('ok' in resolved) return resolved;
  const hidden = sandbox.visibilityProblem(resolved.executable);
  if (hidden) return toolFailure(`Cannot run ${JSON.stringify(command)}: ${hidden}`);
  const badArgument = args.findIndex((argument) => argument.includes('\0'));
  if (badArgument >= 0) return toolFailure(`Cannot start ${JSON.stringify(command)}: argument ${badArgument + 1} contains a NUL byte`);
  const workingDirectory = await resolveCwd(workspace, cwd);
  if ('ok' in workingDirectory) return workingDirectory;
  // A path-qualified program gets its absolute path as argv[0]: a venv's python finds its prefix from it.
  const argv0 = isPathQualified(command) ? resolved.executable : command;
  return { cwd: workingDirectory.directory, ...sandbox.prepare({ executable: resolved.executable, argv0, args, cwd: workingDirectory.directory }) };
}

/**
 * The `run-command` tool: runs one allow-listed program with an argument array — never through a
 * shell, so `;`, `$(…)`, backticks and globs are plain characters — in the workspace (or a
 * directory inside it), with a scrubbed environment, inside a bubblewrap sandbox when available
 * (see `sandbox`), a time limit that kills everything the command started, and a cap on the
 * output it keeps. Refusals come back as `{ ok: false, error }`. Throws InvalidOptionsError for bad
 * options, and for `sandbox: 'required'` without a usable bubblewrap.
 *
 * @example
 * const runCommand = createRunCommandTool({ workspace, allowedCommands: ['python3', 'ls'], timeoutMs: 60_000, sandbox: 'required' });
 */
export function createRunCommandTool(options: RunCommandToolOptions) {
  checkOptions(options);
  const { workspace, allowedCommands, env } = options;
  expectInteger('timeoutMs', options.timeoutMs, { min: 1, max: MAX_TIMER_MS });
  const timeoutMs = options.timeoutMs ?? TOOL_DEFAULTS.commandTimeoutMs;
  const maxOutputBytes = positiveInteger('maxOutputBytes', options.maxOutputBytes, TOOL_DEFAULTS.maxOutputBytes);
  const killAfterBytes = Math.max(maxOutputBytes * TOOL_DEFAULTS.outputKillFactor, TOOL_DEFAULTS.minOutputKillBytes);
  const { sandbox: mode, allowNetwork, readOnlyPaths, bubblewrap } = options;
  const sandbox = createCommandSandbox({ mode, workspaceRoot: workspace.root, allowNetwork, readOnlyPaths, bubblewrap, env });
  const setting: CommandSetting = { workspace, allowedCommands: [...allowedCommands], sandbox };
  const commandList = setting.allowedCommands.join(', ');

  return createTool({
    id: 'run-command',
    description:
      `Runs one program in the workspace and returns its exit code and output. Allowed programs: ${commandList}. ` +
      `No shell: each argument is passed literally, so pipes, redirection, globs, variables and command substitution do not work. ` +
      `${sandbox.description}. Time limit ${timeoutMs} ms; at most ${maxOutputBytes} bytes of output are kept.`,
    inputSchema: z.object({
      command: z.string().min(1).describe(`The program, exactly as allowed: one of ${commandList}`),
      args: z.array(z.string()).default([]).describe('Its arguments, one per element, e.g. ["-m", "venv", ".venv"]'),
      cwd: z.string().optional().describe('Working directory relative to the workspace root; default: the root'),
    }),
    outputSchema: z.union([CommandRunSchema, ToolFailureSchema]),
    execute: async ({ command, args, cwd }, context) => {
      const prepared = await prepareRun(command, args, cwd, setting);
      if ('ok' in prepared) return prepared;
      const run = await runProcess({ ...prepared, timeoutMs, maxOutputBytes, killAfterBytes, abortSignal: context?.abortSignal });
      if ('spawnError' in run) return toolFailure(describeError(`Cannot start ${JSON.stringify(command)}`, run.spawnError));
      const error = failureReason(run, { timeoutMs, killAfterBytes });
      const { exitCode, signal, stdout, stderr, truncated, timedOut, durationMs } = run;
      return { ok: error === undefined, exitCode, signal, stdout, stderr, truncated, timedOut, durationMs, ...(error ? { error } : {}) };
    },
  });
}
