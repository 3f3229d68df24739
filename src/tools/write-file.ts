import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

/** A file written by `write-file`. */
export const WriteFileSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the file was written'),
  path: z.string().describe('The file written, relative to the workspace root (symbolic links inside resolved)'),
  bytes: z.number().int().describe('Bytes written'),
  created: z.boolean().describe('true when the file did not exist before; false when it was replaced'),
});

// O_NOFOLLOW: the path was resolved already, so a link found here was swapped in since; refuse it (ELOOP).
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Writes `content` to `relativePath` in `workspace`, creating parent directories. Never throws. */
export async function writeWorkspaceFile(workspace: Workspace, relativePath: string, content: string, maxBytes: number) {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxBytes) return toolFailure(`Cannot write ${JSON.stringify(relativePath)}: ${bytes} bytes is over the limit of ${maxBytes}`);
  let handle;
  try {
    const absolutePath = await workspace.resolve(relativePath);
    if (absolutePath === workspace.root) return toolFailure(`Cannot write ${JSON.stringify(relativePath)}: it is the workspace root`);
    await mkdir(path.dirname(absolutePath), { recursive: true });
    const existed = await lstat(absolutePath).then(
      () => true,
      () => false,
    );
    handle = await open(absolutePath, WRITE_FLAGS, 0o644);
    await handle.writeFile(content, 'utf8');
    return { ok: true as const, path: workspace.relative(absolutePath), bytes, created: !existed };
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot write ${JSON.stringify(relativePath)}`, error));
  } finally {
    await handle?.close();
  }
}

/** The `write-file` tool over `workspace`. */
export function createWriteFileTool(workspace: Workspace, { maxWriteBytes }: { maxWriteBytes: number }) {
  return createTool({
    id: 'write-file',
    description:
      `Writes a text file in the workspace, replacing it if it exists and creating missing parent directories. ` +
      `The path is relative to the workspace root; absolute paths, ".." and symbolic links leading outside are refused. ` +
      `At most ${maxWriteBytes} bytes.`,
    inputSchema: z.object({
      path: z.string().min(1).describe('File path relative to the workspace root, e.g. "app/main.py"'),
      content: z.string().describe('The whole new content of the file (UTF-8 text)'),
    }),
    outputSchema: z.union([WriteFileSuccessSchema, ToolFailureSchema]),
    execute: async ({ path: filePath, content }) => writeWorkspaceFile(workspace, filePath, content, maxWriteBytes),
  });
}
