import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';
import { fileRefusal, isSameFile, pathAt, walkWorkspace, type WalkedEntry } from './workspace-walk.ts';

/** A file written by `write-file`. */
export const WriteFileSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the file was written'),
  path: z.string().describe('The file written, relative to the workspace root (symbolic links inside resolved)'),
  bytes: z.number().int().describe('Bytes written'),
  created: z.boolean().describe('true when the file did not exist before; false when it was replaced'),
});

// No O_TRUNC: the file opened is checked (regular, one link, the one walked to) before anything is changed.
// O_NOFOLLOW: the walk followed every link already, so a link found here was swapped in since (ELOOP).
// O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of blocking a thread of the pool.
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Options of {@link writeWorkspaceFile}. */
export interface WriteOptions {
  /** Bytes accepted at most. */
  readonly maxBytes: number;
  /** Replace files that have more than one hard link. */
  readonly allowHardLinks: boolean;
}

/** Writes `content` to the file `entry` names (created when missing), checking first what was opened. */
async function writeEntry(entry: WalkedEntry, requested: string, content: string, allowHardLinks: boolean) {
  const subject = `Cannot write ${JSON.stringify(requested)}`;
  if (entry.relative === '.') return toolFailure(`${subject}: it is the workspace root`);
  const refusal = entry.stats && fileRefusal(entry.stats, { allowHardLinks });
  if (refusal) return toolFailure(`${subject}: ${refusal}`);
  const handle = await open(pathAt(entry.parent, entry.name), WRITE_FLAGS, 0o644);
  try {
    const stats = await handle.stat();
    const changed = entry.stats && !isSameFile(stats, entry.stats) ? 'it changed while being opened' : fileRefusal(stats, { allowHardLinks });
    if (changed) return toolFailure(`${subject}: ${changed}`);
    await handle.truncate(0);
    await handle.writeFile(content, 'utf8');
    return { ok: true as const, path: entry.relative, bytes: Buffer.byteLength(content, 'utf8'), created: entry.stats === null };
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `relativePath` in `workspace`, creating parent directories. Never throws. */
export async function writeWorkspaceFile(workspace: Workspace, relativePath: string, content: string, { maxBytes, allowHardLinks }: WriteOptions) {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxBytes) return toolFailure(`Cannot write ${JSON.stringify(relativePath)}: ${bytes} bytes is over the limit of ${maxBytes}`);
  let entry: WalkedEntry | undefined;
  try {
    entry = await walkWorkspace(workspace, relativePath, { createParents: true });
    return await writeEntry(entry, relativePath, content, allowHardLinks);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot write ${JSON.stringify(relativePath)}`, error));
  } finally {
    await entry?.parent.close();
  }
}

/** The `write-file` tool over `workspace`. */
export function createWriteFileTool(workspace: Workspace, { maxWriteBytes, allowHardLinks }: { maxWriteBytes: number; allowHardLinks: boolean }) {
  return createTool({
    id: 'write-file',
    description:
      `Writes a text file in the workspace, replacing it if it exists and creating missing parent directories. ` +
      `The path is relative to the workspace root; absolute paths, ".." and symbolic links leading outside are refused, ` +
      `as are FIFOs, sockets, devices${allowHardLinks ? '' : ' and files with several hard links'}. ` +
      `At most ${maxWriteBytes} bytes.`,
    inputSchema: z.object({
      path: z.string().min(1).describe('File path relative to the workspace root, e.g. "app/main.py"'),
      content: z.string().describe('The whole new content of the file (UTF-8 text)'),
    }),
    outputSchema: z.union([WriteFileSuccessSchema, ToolFailureSchema]),
    execute: async ({ path: filePath, content }) => writeWorkspaceFile(workspace, filePath, content, { maxBytes: maxWriteBytes, allowHardLinks }),
  });
}
