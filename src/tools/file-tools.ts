import { expectBoolean } from '../engine/option-checks.ts';
import { positiveInteger } from './check-option.ts';
import { TOOL_DEFAULTS } from './constants.ts';
import { createListFilesTool } from './list-files.ts';
import { createReadFileTool } from './read-file.ts';
import { createWriteFileTool } from './write-file.ts';
import type { Workspace } from './workspace.ts';

/** Options of {@link createFileTools}. */
export interface FileToolsOptions {
  /** Bytes `read-file` returns at most; longer files come back cut with `truncated: true`. @default 262144 (256 KiB) */
  readonly maxReadBytes?: number;
  /** Bytes `write-file` accepts at most; longer content is refused. @default 1048576 (1 MiB) */
  readonly maxWriteBytes?: number;
  /**
   * Read and replace files that have more than one hard link. Off by default: a hard link in the
   * workspace to a file outside it (made by a command, or before) is that outside file. @default false
   */
  readonly allowHardLinks?: boolean;
}

/**
 * The workspace file tools `read-file`, `write-file` and `list-files`, confined to `workspace`:
 * paths are relative to its root; absolute paths, `..` escapes and symbolic links leading outside
 * are refused with `{ ok: false, error }`, never thrown. Every path is walked one directory
 * descriptor at a time, links followed by hand (see workspace-walk.ts), so a link swapped in
 * mid-call cannot lead out; FIFOs, sockets and devices are refused without blocking, and files
 * with several hard links unless `allowHardLinks`. Throws InvalidOptionsError for a bad option.
 *
 * @example
 * const workspace = await Workspace.create('/tmp/sandbox');
 * const agent = new PlanAndExecute({ planner, executor, tools: { ...createFileTools(workspace) } });
 */
export function createFileTools(workspace: Workspace, { maxReadBytes, maxWriteBytes, allowHardLinks = false }: FileToolsOptions = {}) {
  const readLimit = positiveInteger('maxReadBytes', maxReadBytes, TOOL_DEFAULTS.maxReadBytes);
  const writeLimit = positiveInteger('maxWriteBytes', maxWriteBytes, TOOL_DEFAULTS.maxWriteBytes);
  expectBoolean('allowHardLinks', allowHardLinks);
  return {
    readFile: createReadFileTool(workspace, { maxReadBytes: readLimit, allowHardLinks }),
    writeFile: createWriteFileTool(workspace, { maxWriteBytes: writeLimit, allowHardLinks }),
    listFiles: createListFilesTool(workspace),
  };
}
