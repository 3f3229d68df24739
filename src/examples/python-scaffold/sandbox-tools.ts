import os from 'node:os';
import { createFileTools } from '../../tools/file-tools.ts';
import { createRunCommandTool } from '../../tools/run-command.ts';
import type { Workspace } from '../../tools/workspace.ts';

/**
 * What the scaffold may run. `python3` makes the virtual environment; pip runs only as the
 * venv's interpreter (`.venv/bin/python -m pip`), so nothing is ever installed outside the
 * sandbox (PIP_REQUIRE_VIRTUALENV also refuses an install into a system Python).
 */
export const SCAFFOLD_COMMANDS = ['python3', '.venv/bin/python', 'mkdir', 'ls'] as const;

/** Environment every pip call gets: no version check, installs only into a virtual environment. */
const PIP_ENV = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_REQUIRE_VIRTUALENV: '1' };

/**
 * Offline: pip is told there is no index and reads no config file (which could point at a local
 * mirror), so `pip install` fails at once with pip's own "No matching distribution" error, as it
 * does on a machine without a network: deterministic, about a second.
 */
const OFFLINE_PIP_ENV = { PIP_NO_INDEX: '1', PIP_CONFIG_FILE: os.devNull };

/** Online: a dead index must not hold a step for minutes (pip's defaults: 15 s timeout, 5 retries). */
const ONLINE_PIP_ENV = { PIP_DEFAULT_TIMEOUT: '10', PIP_RETRIES: '1' };

/** Options of {@link createScaffoldTools}. */
export interface ScaffoldToolsOptions {
  /** Make pip behave as on a machine without a network. */
  readonly offline: boolean;
  /** Time limit of one command. */
  readonly commandTimeoutMs: number;
  /** Extra environment for commands (for example HTTPS_PROXY when online). */
  readonly env?: Record<string, string>;
}

/** The executor's tools for the scaffold, all confined to `workspace`: runCommand, readFile, writeFile, listFiles. */
export function createScaffoldTools(workspace: Workspace, { offline, commandTimeoutMs, env = {} }: ScaffoldToolsOptions) {
  const runCommand = createRunCommandTool({
    workspace,
    allowedCommands: SCAFFOLD_COMMANDS,
    timeoutMs: commandTimeoutMs,
    // Online, pip must reach its index from inside the command sandbox.
    allowNetwork: !offline,
    env: { ...PIP_ENV, ...(offline ? OFFLINE_PIP_ENV : ONLINE_PIP_ENV), ...env },
  });
  return { runCommand, ...createFileTools(workspace) };
}
