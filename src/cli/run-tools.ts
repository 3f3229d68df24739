/** The executor's tools in `run`: the workspace file tools, and `runCommand` when programs are allowed. */
import type { ToolsInput } from '@mastra/core/agent';
import { isPlanExecuteError } from '../engine/errors.ts';
import { createFileTools } from '../tools/file-tools.ts';
import { createRunCommandTool } from '../tools/run-command.ts';
import { Workspace } from '../tools/workspace.ts';
import { UsageError } from './args.ts';
import { COMMAND_TOOL_NAME } from './run-tool-options.ts';

/** The tools of one run and where they work. */
export interface RunTools {
  /** The tools, keyed by the names plans use. */
  readonly tools: ToolsInput;
  /** The workspace's absolute real path. */
  readonly workspaceRoot: string;
  /** The programs `runCommand` may run; empty when there is no `runCommand`. */
  readonly allowedCommands: readonly string[];
}

/** Opens the workspace, creating it when missing; a folder that cannot be used is a UsageError naming it. */
async function openWorkspace(workspaceDir: string, usage: string): Promise<Workspace> {
  try {
    return await Workspace.create(workspaceDir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot use ${workspaceDir} as the workspace (--workspace): ${reason}`, usage);
  }
}

/**
 * The file tools confined to `workspaceDir` (created when missing), and `runCommand` for
 * `allowedCommands` when there are any. Throws UsageError for a folder that cannot be used or an
 * allow-list entry the command tool refuses.
 */
export async function createRunTools(options: { workspaceDir: string; allowedCommands: readonly string[]; usage: string }): Promise<RunTools> {
  const { workspaceDir, allowedCommands, usage } = options;
  const workspace = await openWorkspace(workspaceDir, usage);
  const tools: ToolsInput = { ...createFileTools(workspace) };
  if (allowedCommands.length > 0) {
    try {
      tools[COMMAND_TOOL_NAME] = createRunCommandTool({ workspace, allowedCommands });
    } catch (error) {
      if (!isPlanExecuteError(error, 'INVALID_OPTIONS')) throw error;
      throw new UsageError(`--allow: ${error.message}`, usage);
    }
  }
  return { tools, workspaceRoot: workspace.root, allowedCommands };
}

/** `readFile, writeFile, listFiles, runCommand (python3, ls) in /abs/workspace`: the line `run` starts with. */
export function describeRunTools({ tools, workspaceRoot, allowedCommands }: RunTools): string {
  const names = Object.keys(tools).map((name) => (name === COMMAND_TOOL_NAME ? `${name} (${allowedCommands.join(', ')})` : name));
  return `executor tools: ${names.join(', ')} in ${workspaceRoot}`;
}
