import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

/** A file read by `read-file`. */
export const ReadFileSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the file was read'),
  path: z.string().describe('The file read, relative to the workspace root (symbolic links inside resolved)'),
  content: z.string().describe('The file as UTF-8 text; only its first bytes when truncated'),
  size: z.number().int().describe('Size of the whole file in bytes'),
  truncated: z.boolean().describe('true when the file is longer than the read limit and content holds only its start'),
});

// O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads `relativePath` from `workspace`: at most `maxBytes` bytes, regular files only. Never throws. */
export async function readWorkspaceFile(workspace: Workspace, relativePath: string, maxBytes: number) {
  let handle;
  try {
    const absolutePath = await workspace.resolve(relativePath);
    handle = await open(absolutePath, READ_FLAGS);
    const stats = await handle.stat();
    if (!stats.isFile()) return toolFailure(`Cannot read ${JSON.stringify(relativePath)}: it is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}`);
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return {
      ok: true as const,
      path: workspace.relative(absolutePath),
      content: buffer.subarray(0, bytesRead).toString('utf8'),
      size: stats.size,
      truncated: stats.size > bytesRead,
    };
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot read ${JSON.stringify(relativePath)}`, error));
  } finally {
    await handle?.close();
  }
}

/** The `read-file` tool over `workspace`. */
export function createReadFileTool(workspace: Workspace, { maxReadBytes }: { maxReadBytes: number }) {
  return createTool({
    id: 'read-file',
    description:
      `Reads a text file of the workspace. The path is relative to the workspace root; absolute paths, ".." ` +
      `and symbolic links leading outside are refused. Returns at most ${maxReadBytes} bytes (truncated: true beyond).`,
    inputSchema: z.object({
      path: z.string().min(1).describe('File path relative to the workspace root, e.g. "app/main.py"'),
    }),
    outputSchema: z.union([ReadFileSuccessSchema, ToolFailureSchema]),
    execute: async ({ path }) => readWorkspaceFile(workspace, path, maxReadBytes),
  });
}
