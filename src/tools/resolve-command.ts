import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { toolFailure, type ToolFailure } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

/** Whether `command` names a path rather than a bare program name. */
export const isPathQualified = (command: string) => command.includes('/') || command.includes(path.sep);

/** Whether `candidate` (links followed) is a regular file this process may execute. */
async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    if (!(await stat(candidate)).isFile()) return false;
    await access(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in the absolute directories of `searchPath` (relative entries such as "." are skipped). */
async function findOnPath(name: string, searchPath: string): Promise<string | null> {
  for (const directory of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Where an allow-listed path-qualified entry points: absolute as is; relative from the workspace root, its directory confined. */
async function resolveListedPath(command: string, workspace: Workspace): Promise<string | ToolFailure> {
  if (path.isAbsolute(command)) return command;
  try {
    // The last name is not followed: a virtual environment's bin/python is a link to the system interpreter.
    return await workspace.resolveEntry(command);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    throw error;
  }
}

/**
 * The absolute path to run for `command`, or a refusal. The command must be in `allowedCommands`
 * exactly; a bare name is looked up on `searchPath`; a path-qualified command is refused unless
 * that exact path is allow-listed.
 */
export async function resolveCommand(
  command: string,
  { allowedCommands, workspace, searchPath }: { allowedCommands: readonly string[]; workspace: Workspace; searchPath: string },
): Promise<{ executable: string } | ToolFailure> {
  const allowed = allowedCommands.join(', ');
  if (!allowedCommands.includes(command)) {
    return toolFailure(
      isPathQualified(command)
        ? `Refused: ${JSON.stringify(command)} is a path; run an allowed command by its bare name (${allowed})`
        : `Refused: ${JSON.stringify(command)} is not an allowed command (${allowed})`,
    );
  }
  if (!isPathQualified(command)) {
    const executable = await findOnPath(command, searchPath);
    return executable ? { executable } : toolFailure(`${JSON.stringify(command)} is allowed but was not found on PATH`);
  }
  const executable = await resolveListedPath(command, workspace);
  if (typeof executable !== 'string') return executable;
  return (await isExecutableFile(executable)) ? { executable } : toolFailure(`${JSON.stringify(command)} does not exist (yet) or is not executable`);
}
