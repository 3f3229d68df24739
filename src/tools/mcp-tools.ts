/**
 * Tools from MCP servers for the executor, through @mastra/mcp's MCPClient: the servers of an
 * `mcpServers` configuration are started, their tools listed under `<server>_<tool>` names, their
 * results and errors cleared of the configuration's secrets, and everything stopped by `disconnect`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ToolsInput } from '@mastra/core/agent';
import { noopLogger, type IMastraLogger } from '@mastra/core/logger';
import { REPORT_TOOL_NAME } from '../agents/report-tool.ts';
import { InvalidOptionsError } from '../engine/errors.ts';
import { expectInteger, expectStringArray } from '../engine/option-checks.ts';
import { createRedactor, type Redactor } from '../engine/redact.ts';
import { mcpConfigSecrets, parseMcpConfig, readMcpConfig, type McpConfig } from './mcp-config.ts';
import { startMcpServers } from './mcp-servers.ts';

/** The bounds `loadMcpTools` applies when not told otherwise. */
export const MCP_DEFAULTS = Object.freeze({
  /** Longest wait for one request to a server (the handshake, the tool list, each tool call): MCPClient's own default. */
  requestTimeoutMs: 60_000,
  /** Longest wait for every server to start and list its tools; an `npx` server's first start downloads it. */
  startupTimeoutMs: 30_000,
});

/** Options of `loadMcpTools`. */
export interface LoadMcpToolsOptions {
  /** A JSON file in the `mcpServers` shape (relative to the working directory), or such a configuration as a value. */
  readonly config: string | McpConfig;
  /** Names already taken by the executor's other tools; an MCP tool of the same name is an error. @default [] */
  readonly existingToolNames?: readonly string[];
  /** Longest wait for one request to a server, a tool call included. @default MCP_DEFAULTS.requestTimeoutMs (60 s) */
  readonly requestTimeoutMs?: number;
  /** Longest wait for all servers to start and list their tools. @default MCP_DEFAULTS.startupTimeoutMs (30 s) */
  readonly startupTimeoutMs?: number;
  /** Receives the MCP client's log lines, secrets redacted, at debug level. @default none */
  readonly logger?: IMastraLogger;
}

/** What `loadMcpTools` returns. */
export interface McpTools {
  /** The servers' tools, keyed `<server>_<tool>`: give them to the executor next to its other tools. */
  readonly tools: ToolsInput;
  /** The configuration's secrets (env values, headers): pass them as the run's `redact` option. */
  readonly redact: readonly string[];
  /** The tool names of each server, in configuration order. */
  readonly servers: Readonly<Record<string, readonly string[]>>;
  /** Stops every server: closed politely, then any process left (or still starting) killed. Idempotent; never throws. */
  disconnect(): Promise<void>;
}

type Execute = (input: unknown, context: unknown) => Promise<unknown>;

/**
 * A copy of `tool` whose results and errors have the secrets replaced: the model, the run's
 * events and Mastra's tool spans then never see them, whoever builds the run.
 */
function redactingTool<T extends object>(tool: T, redact: Redactor): T {
  const execute = (tool as { execute?: Execute }).execute;
  if (!execute) return tool;
  const redacted: Execute = async (input, context) => {
    try {
      return redact(await execute.call(tool, input, context));
    } catch (error) {
      throw redact(error);
    }
  };
  // A copy of the same class, so Mastra treats it as the tool it was (as capToolResults does).
  return Object.assign(Object.create(Object.getPrototypeOf(tool) as object) as T, tool, { execute: redacted });
}

/** The MCP client's own log lines (it logs failures at error level, with stacks) sent to `target.debug`, redacted. */
function quietLogger(target: IMastraLogger, redact: Redactor): IMastraLogger {
  const toDebug = (message: string, ...args: unknown[]) => target.debug(redact(message), ...args.map(redact));
  return { ...noopLogger, debug: toDebug, info: toDebug, warn: toDebug, error: toDebug };
}

/** `MCP server "x" (in file) did not start: reason`, the reason's first line without MCPClient's own prefix. */
function startError(name: string, reason: string, file: string | null, startupTimeoutMs: number): string {
  const where = file ? `MCP server "${name}" (in ${file})` : `MCP server "${name}"`;
  if (reason === 'timeout') return `${where} did not start within ${startupTimeoutMs} ms`;
  const firstLine = (reason.split('\n', 1)[0] ?? reason).replace(`Failed to connect to MCP server ${name}: `, '');
  return `${where} did not start: ${firstLine}`;
}

/** The tools under `<server>_<tool>` names; a name taken by another tool, or by two servers, is an error. */
function namedTools(toolsets: Record<string, Record<string, unknown>>, taken: ReadonlySet<string>, file: string | null) {
  const source = file ?? 'the MCP configuration';
  const tools: Record<string, unknown> = {};
  const servers: Record<string, string[]> = {};
  const ownerOf = new Map<string, string>();
  for (const [server, toolset] of Object.entries(toolsets)) {
    servers[server] = [];
    for (const [toolName, tool] of Object.entries(toolset)) {
      const name = `${server}_${toolName}`;
      if (taken.has(name))
        throw new InvalidOptionsError(
          `MCP tool "${toolName}" of server "${server}" would be named ${name}, which another tool has: rename the server in ${source}`,
        );
      const owner = ownerOf.get(name);
      if (owner) throw new InvalidOptionsError(`MCP servers "${owner}" and "${server}" both have a tool named ${name}: rename one of them in ${source}`);
      ownerOf.set(name, server);
      tools[name] = tool;
      servers[server].push(name);
    }
  }
  return { tools, servers };
}

/** Checks the options before anything starts. */
function checkOptions(options: LoadMcpToolsOptions): void {
  expectInteger('requestTimeoutMs', options.requestTimeoutMs, { min: 1 });
  expectInteger('startupTimeoutMs', options.startupTimeoutMs, { min: 1 });
  expectStringArray('existingToolNames', options.existingToolNames);
  if (typeof options.config !== 'string' && (typeof options.config !== 'object' || options.config === null)) {
    throw new InvalidOptionsError(`Expected \`config\` to be a file path or an MCP servers configuration, got ${String(options.config)}`);
  }
}

/**
 * Starts the MCP servers of `config` (a file in the `mcpServers` shape, or its value) and returns
 * their tools for the executor, the configuration's secrets for the run's `redact` option, and
 * `disconnect`, which the caller must call when the run ends (in a `finally`). Tool results and
 * errors already have those secrets replaced by `[REDACTED]`.
 * @throws InvalidOptionsError for a file that cannot be read or a bad configuration (naming the
 * field), a server that does not start within `startupTimeoutMs` (naming it; every server is then
 * stopped), or a tool name that clashes with `existingToolNames`, the executor's final-answer
 * tool or another server's tool.
 * @example
 * const mcp = await loadMcpTools({ config: 'mcp.json', existingToolNames: Object.keys(tools) });
 * try {
 *   const executor = createExecutorAgent({ model, tools: { ...tools, ...mcp.tools } });
 *   await new PlanAndExecute({ planner: model, executor, redact: mcp.redact }).run(task);
 * } finally {
 *   await mcp.disconnect();
 * }
 */
export async function loadMcpTools(options: LoadMcpToolsOptions): Promise<McpTools> {
  checkOptions(options);
  const { existingToolNames = [], requestTimeoutMs = MCP_DEFAULTS.requestTimeoutMs, startupTimeoutMs = MCP_DEFAULTS.startupTimeoutMs } = options;
  const file = typeof options.config === 'string' ? path.resolve(options.config) : null;
  const config = file ? await readMcpConfig(file) : parseMcpConfig(options.config);
  const redact = mcpConfigSecrets(config);
  const redactor = createRedactor({ extra: redact });
  const logger = quietLogger(options.logger ?? noopLogger, redactor);
  const { toolsets, failures, stop } = await startMcpServers(config, randomUUID(), { requestTimeoutMs, startupTimeoutMs, logger });
  try {
    if (failures.length > 0) throw new InvalidOptionsError(failures.map(({ name, reason }) => startError(name, reason, file, startupTimeoutMs)).join('; '));
    const { tools, servers } = namedTools(toolsets, new Set([...existingToolNames, REPORT_TOOL_NAME]), file);
    const redactedTools = Object.fromEntries(Object.entries(tools).map(([name, tool]) => [name, redactingTool(tool as object, redactor)]));
    return { tools: redactedTools as ToolsInput, redact, servers, disconnect: stop };
  } catch (error) {
    await stop();
    throw redactor(error);
  }
}
