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
}

/**
 * The workspace file tools `read-file`, `write-file` and `list-files`, confined to `workspace`:
 * paths are relative to its root; absolute paths, `..` escapes and symbolic links leading outside
 * are refused with `{ ok: false, error }`, never thrown. Throws InvalidOptionsError for a bad limit.
 *
 * @example
 * const workspace = await Workspace.create('/tmp/sandbox');
 * const agent = new PlanAndExecute({ planner, executor, tools: { ...createFileTools(workspace) } });
 */
export function createFileTools(workspace: Workspace, { maxReadBytes, maxWriteBytes }: FileToolsOptions = {}) {
  const readLimit = positiveInteger('maxReadBytes', maxReadBytes, TOOL_DEFAULTS.maxReadBytes);
  const writeLimit = positiveInteger('maxWriteBytes', maxWriteBytes, TOOL_DEFAULTS.maxWriteBytes);
  return {
    readFile: createReadFileTool(workspace, { maxReadBytes: readLimit }),
    writeFile: createWriteFileTool(workspace, { maxWriteBytes: writeLimit }),
    listFiles: createListFilesTool(workspace),
  };
}
