/** `run --mcp <file>`: the tools of the MCP servers a file configures, for the executor. */
import path from 'node:path';
import { isPlanExecuteError } from '../engine/errors.ts';
import type { McpTools } from '../tools/mcp-tools.ts';
import { UsageError } from './args.ts';

/**
 * The absolute path of `--mcp <file>`, or null without the flag; a UsageError for an empty value or
 * a repeated flag (one file lists every server, and a silently ignored one would be worse).
 */
export function mcpConfigFileFor(values: readonly string[] | undefined, cwd: string, usage: string): string | null {
  if (values === undefined || values.length === 0) return null;
  if (values.length > 1) throw new UsageError(`--mcp takes one file, which may list several servers; got ${values.length}`, usage);
  const [file = ''] = values;
  if (file.trim() === '') throw new UsageError('--mcp must name a JSON file, got ""', usage);
  return path.resolve(cwd, file);
}

/**
 * Process events whose listeners @mastra/mcp installs (through exit-hook) when a server starts:
 * its SIGINT listener would stop the servers and exit 130 at once, racing the CLI's own Ctrl-C
 * handling (cancel the run, print its partial result, then stop the servers); its exit listener
 * prints a notice on a second Ctrl-C. SIGTERM and SIGHUP keep its handling: stop, then exit.
 */
const CLI_OWNED_EVENTS: readonly string[] = ['SIGINT', 'exit'];

// process.listeners/off are typed per event name; these two are plain emitter events here.
const emitter = process as unknown as NodeJS.EventEmitter;

/** Runs `load`, then removes the listeners it added to `process` for SIGINT and exit (see CLI_OWNED_EVENTS). */
export async function keepingCtrlC<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(CLI_OWNED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await load();
  } finally {
    for (const event of CLI_OWNED_EVENTS) {
      for (const listener of emitter.listeners(event)) if (!before.get(event)?.has(listener)) emitter.off(event, listener as () => void);
    }
  }
}

/**
 * Starts the servers of `file` and lists their tools; null without a file. A file or server that
 * cannot be used, or a tool name another tool has, is a UsageError saying why (exit 64).
 */
export async function loadRunMcpTools(file: string | null, options: { existingToolNames: readonly string[]; usage: string }): Promise<McpTools | null> {
  if (file === null) return null;
  // Imported here: @mastra/mcp is only loaded by runs that use it.
  const { loadMcpTools } = await import('../tools/mcp-tools.ts');
  try {
    return await keepingCtrlC(() => loadMcpTools({ config: file, existingToolNames: options.existingToolNames }));
  } catch (error) {
    if (!isPlanExecuteError(error, 'INVALID_OPTIONS')) throw error;
    throw new UsageError(`--mcp: ${error.message}`, options.usage);
  }
}

/** `MCP tools: releases_lookup_release, releases_server_pid (from /abs/servers.json)`: the line after the workspace tools. */
export function describeMcpTools(mcp: McpTools, file: string): string {
  const names = Object.values(mcp.servers).flat();
  return `MCP tools: ${names.length > 0 ? names.join(', ') : 'none'} (from ${file})`;
}
