import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';
import { fileRefusal, isSameFile, notFound, pathAt, walkWorkspace, type WalkedEntry } from './workspace-walk.ts';

/** A file read by `read-file`. */
export const ReadFileSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the file was read'),
  path: z.string().describe('The file read, relative to the workspace root (symbolic links inside resolved)'),
  content: z.string().describe('The file as UTF-8 text; only its first bytes when truncated'),
  size: z.number().int().describe('Size of the whole file in bytes'),
  truncated: z.boolean().describe('true when the file is longer than the read limit and content holds only its start'),
});

// O_NOFOLLOW: the walk followed every link already, so a link found here was swapped in since (ELOOP).
// O_NONBLOCK: a FIFO swapped in after the type check must not wait for a writer; fstat then refuses it.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Options of {@link readWorkspaceFile}. */
export interface ReadOptions {
  /** Bytes returned at most. */
  readonly maxBytes: number;
  /** Read files that have more than one hard link. */
  readonly allowHardLinks: boolean;
}

/** Reads the file `entry` names: checks its type before opening and that the file opened is the one checked. */
async function readEntry(entry: WalkedEntry, requested: string, { maxBytes, allowHardLinks }: ReadOptions) {
  const subject = `Cannot read ${JSON.stringify(requested)}`;
  if (!entry.stats) throw notFound(requested);
  const refusal = fileRefusal(entry.stats, { allowHardLinks });
  if (refusal) return toolFailure(`${subject}: ${refusal}`);
  const handle = await open(pathAt(entry.parent, entry.name), READ_FLAGS);
  try {
    const stats = await handle.stat();
    const changed = isSameFile(stats, entry.stats) ? fileRefusal(stats, { allowHardLinks }) : 'it changed while being opened';
    if (changed) return toolFailure(`${subject}: ${changed}`);
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const content = buffer.subarray(0, bytesRead).toString('utf8');
    return { ok: true as const, path: entry.relative, content, size: stats.size, truncated: stats.size > bytesRead };
  } finally {
    await handle.close();
  }
}

/** Reads `relativePath` from `workspace`: at most `maxBytes` bytes, regular files only. Never throws. */
export async function readWorkspaceFile(workspace: Workspace, relativePath: string, options: ReadOptions) {
  let entry: WalkedEntry | undefined;
  try {
    entry = await walkWorkspace(workspace, relativePath);
    return await readEntry(entry, relativePath, options);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot read ${JSON.stringify(relativePath)}`, error));
  } finally {
    await entry?.parent.close();
  }
}

/** The `read-file` tool over `workspace`. */
export function createReadFileTool(workspace: Workspace, { maxReadBytes, allowHardLinks }: { maxReadBytes: number; allowHardLinks: boolean }) {
  return createTool({
    id: 'read-file',
    description:
      `Reads a text file of the workspace. The path is relative to the workspace root; absolute paths, ".." ` +
      `and symbolic links leading outside are refused, as are FIFOs, sockets, devices` +
      `${allowHardLinks ? '' : ' and files with several hard links'}. Returns at most ${maxReadBytes} bytes (truncated: true beyond).`,
    inputSchema: z.object({
      path: z.string().min(1).describe('File path relative to the workspace root, e.g. "app/main.py"'),
    }),
    outputSchema: z.union([ReadFileSuccessSchema, ToolFailureSchema]),
    execute: async ({ path }) => readWorkspaceFile(workspace, path, { maxBytes: maxReadBytes, allowHardLinks }),
  });
}
