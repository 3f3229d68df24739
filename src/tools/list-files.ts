import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { TOOL_DEFAULTS } from './constants.ts';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';

/** A listing made by `list-files`. */
export const ListFilesSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the directory was listed'),
  path: z.string().describe('The directory listed, relative to the workspace root'),
  entries: z
    .array(z.string())
    .describe('Paths relative to the workspace root, sorted by name, each directory followed by its contents. Markers: "dir/" a directory, "link@" a symbolic link (not followed), "name?" a special file; no marker: a regular file'),
  truncated: z.boolean().describe('true when there were more entries than the limit and the listing stops early'),
});

/** What one walk collects. */
interface Listing {
  readonly entries: string[];
  truncated: boolean;
}

const marker = (entry: { isDirectory(): boolean; isSymbolicLink(): boolean; isFile(): boolean }) =>
  entry.isDirectory() ? '/' : entry.isSymbolicLink() ? '@' : entry.isFile() ? '' : '?';

/** Depth-first, sorted by name (code unit order, so the same on every machine); never follows links. */
async function walk(workspace: Workspace, directory: string, depthLeft: number, listing: Listing, maxEntries: number): Promise<void> {
  const children = (await readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    if (listing.entries.length >= maxEntries) {
      listing.truncated = true;
      return;
    }
    const absolutePath = path.join(directory, child.name);
    listing.entries.push(workspace.relative(absolutePath) + marker(child));
    if (child.isDirectory() && depthLeft > 1) await walk(workspace, absolutePath, depthLeft - 1, listing, maxEntries);
  }
}

/** Lists `relativePath` in `workspace` down to `depth` levels. Never throws. */
export async function listWorkspaceFiles(workspace: Workspace, relativePath: string, depth: number, maxEntries: number) {
  try {
    const absolutePath = await workspace.resolve(relativePath);
    if (!(await stat(absolutePath)).isDirectory()) return toolFailure(`Cannot list ${JSON.stringify(relativePath)}: it is not a directory`);
    const listing: Listing = { entries: [], truncated: false };
    await walk(workspace, absolutePath, depth, listing, maxEntries);
    return { ok: true as const, path: workspace.relative(absolutePath), entries: listing.entries, truncated: listing.truncated };
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot list ${JSON.stringify(relativePath)}`, error));
  }
}

/** The `list-files` tool over `workspace`. */
export function createListFilesTool(workspace: Workspace, { maxEntries = TOOL_DEFAULTS.maxListEntries }: { maxEntries?: number } = {}) {
  return createTool({
    id: 'list-files',
    description:
      `Lists a directory of the workspace recursively: paths relative to the workspace root, sorted, directories marked "/", ` +
      `symbolic links "@" (not followed). At most ${maxEntries} entries.`,
    inputSchema: z.object({
      path: z.string().default('.').describe('Directory relative to the workspace root; "." (the default) is the root'),
      depth: z.number().int().min(1).max(10).default(TOOL_DEFAULTS.listDepth).describe(`Levels to descend; 1 lists only the directory's own entries. Default ${TOOL_DEFAULTS.listDepth}`),
    }),
    outputSchema: z.union([ListFilesSuccessSchema, ToolFailureSchema]),
    execute: async ({ path: directory, depth }) => listWorkspaceFiles(workspace, directory, depth, maxEntries),
  });
}
