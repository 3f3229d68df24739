import type { Dirent } from 'node:fs';
import { type FileHandle, opendir } from 'node:fs/promises';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { TOOL_DEFAULTS } from './constants.ts';
import { describeError, toolFailure, ToolFailureSchema } from './tool-result.ts';
import { WorkspaceEscapeError, type Workspace } from './workspace.ts';
import { notFound, openDirectoryAt, walkWorkspace, type WalkedEntry } from './workspace-walk.ts';

/** A listing made by `list-files`. */
export const ListFilesSuccessSchema = z.object({
  ok: z.literal(true).describe('true: the directory was listed'),
  path: z.string().describe('The directory listed, relative to the workspace root'),
  entries: z
    .array(z.string())
    .describe(
      'Paths relative to the workspace root, sorted by name, each directory followed by its contents. Markers: "dir/" a directory, "link@" a symbolic link (not followed), "name?" a special file; no marker: a regular file',
    ),
  truncated: z.boolean().describe('true when there were more entries than the limit and the listing stops early'),
});

/** What one walk collects. */
interface Listing {
  readonly entries: string[];
  truncated: boolean;
}

const marker = (entry: { isDirectory(): boolean; isSymbolicLink(): boolean; isFile(): boolean }) =>
  entry.isDirectory() ? '/' : entry.isSymbolicLink() ? '@' : entry.isFile() ? '' : '?';

const byName = (first: { name: string }, second: { name: string }) => (first.name < second.name ? -1 : first.name > second.name ? 1 : 0);

/** The first `keep` children of `directory` by name, read one at a time (a huge directory is never held whole), and whether there were more. */
async function firstChildren(directory: FileHandle, keep: number): Promise<{ children: Dirent[]; more: boolean }> {
  const children: Dirent[] = [];
  let more = false;
  for await (const child of await opendir(`/proc/self/fd/${directory.fd}`)) {
    if (children.length === keep && (keep === 0 || byName(child, children[keep - 1]!) >= 0)) {
      more = true;
      continue;
    }
    let at = children.length;
    while (at > 0 && byName(child, children[at - 1]!) < 0) at--;
    children.splice(at, 0, child);
    if (children.length > keep) {
      children.pop();
      more = true;
    }
  }
  return { children, more };
}

/** Depth-first, sorted by name (code unit order, so the same on every machine); never follows links, descends through descriptors. */
async function walk(directory: FileHandle, relative: string, depthLeft: number, listing: Listing, maxEntries: number): Promise<void> {
  const { children, more } = await firstChildren(directory, maxEntries - listing.entries.length);
  for (const child of children) {
    if (listing.entries.length >= maxEntries) {
      listing.truncated = true;
      return;
    }
    const childPath = relative === '.' ? child.name : `${relative}/${child.name}`;
    listing.entries.push(childPath + marker(child));
    if (!child.isDirectory() || depthLeft <= 1) continue;
    // A directory swapped for a link since it was read fails to open (ENOTDIR) and is not descended into.
    const subdirectory = await openDirectoryAt(directory, child.name).catch(() => null);
    if (!subdirectory) continue;
    try {
      await walk(subdirectory, childPath, depthLeft - 1, listing, maxEntries);
    } finally {
      await subdirectory.close();
    }
  }
  if (more) listing.truncated = true;
}

/** Lists the directory `entry` names down to `depth` levels. */
async function listEntry(entry: WalkedEntry, requested: string, depth: number, maxEntries: number) {
  if (!entry.stats) throw notFound(requested);
  if (!entry.stats.isDirectory()) return toolFailure(`Cannot list ${JSON.stringify(requested)}: it is not a directory`);
  const directory = await openDirectoryAt(entry.parent, entry.name);
  try {
    const listing: Listing = { entries: [], truncated: false };
    await walk(directory, entry.relative, depth, listing, maxEntries);
    return { ok: true as const, path: entry.relative, entries: listing.entries, truncated: listing.truncated };
  } finally {
    await directory.close();
  }
}

/** Lists `relativePath` in `workspace` down to `depth` levels. Never throws. */
export async function listWorkspaceFiles(workspace: Workspace, relativePath: string, depth: number, maxEntries: number) {
  let entry: WalkedEntry | undefined;
  try {
    entry = await walkWorkspace(workspace, relativePath);
    return await listEntry(entry, relativePath, depth, maxEntries);
  } catch (error) {
    if (error instanceof WorkspaceEscapeError) return toolFailure(error.message);
    return toolFailure(describeError(`Cannot list ${JSON.stringify(relativePath)}`, error));
  } finally {
    await entry?.parent.close();
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
      depth: z
        .number()
        .int()
        .min(1)
        .max(10)
        .default(TOOL_DEFAULTS.listDepth)
        .describe(`Levels to descend; 1 lists only the directory's own entries. Default ${TOOL_DEFAULTS.listDepth}`),
    }),
    outputSchema: z.union([ListFilesSuccessSchema, ToolFailureSchema]),
    execute: async ({ path: directory, depth }) => listWorkspaceFiles(workspace, directory, depth, maxEntries),
  });
}
