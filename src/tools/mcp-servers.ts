/**
 * Starting and stopping the servers of an MCP configuration, one MCPClient per server so that
 * each start attempt can be watched on its own: a server still starting when the startup bound
 * passes is named in the error, and stopping waits until its attempt has given up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { IMastraLogger } from '@mastra/core/logger';
import type { MastraMCPServerDefinition, MCPClient } from '@mastra/mcp';
import type { McpConfig, McpServerConfig } from './mcp-config.ts';
import { COMMAND_MARKER_VARIABLE, killCommandProcesses } from './process-sweep.ts';

/** How one server's start ended: its tools by their own names, or why it failed. */
type Discovery = { readonly tools: Record<string, unknown> } | { readonly error: string };

/** One server being started or started. */
interface StartedServer {
  readonly name: string;
  readonly client: MCPClient;
  /** Settles when the client's start attempt (a connect bounded by the request timeout, a retry included) has ended, even after the startup bound. */
  readonly discovery: Promise<Discovery>;
}

/** What `startMcpServers` returns. */
export interface McpServersStart {
  /** The tools of each server that started, by the server's own tool names. */
  readonly toolsets: Record<string, Record<string, unknown>>;
  /** The servers that did not start, with the reason (`timeout`: not within the startup bound). */
  readonly failures: ReadonlyArray<{ readonly name: string; readonly reason: string | 'timeout' }>;
  /** Stops every server; see `stopServers`. */
  stop(): Promise<void>;
}

/** Options of `startMcpServers`. */
export interface StartMcpServersOptions {
  readonly requestTimeoutMs: number;
  readonly startupTimeoutMs: number;
  /** Gets every client's log lines. */
  readonly logger: IMastraLogger;
}

/** Longest wait, when stopping, for start attempts that outlived the startup bound; their processes are killed meanwhile. */
const STRAGGLER_BOUND_MS = 10_000;
/** How often those processes are looked for: the MCP SDK may spawn a new one after one is killed (a probe, then the session). */
const SWEEP_INTERVAL_MS = 100;

const TIMED_OUT = Symbol('timed out');

/** MCPClient's definition of a server; a local one carries `marker` in its environment, so the sweep finds its processes. */
function definition(server: McpServerConfig, marker: string): MastraMCPServerDefinition {
  if ('url' in server) return { url: new URL(server.url), requestInit: { headers: server.headers ?? {} } };
  const { command, args = [], env = {}, cwd } = server;
  return { command, args, env: { ...env, [COMMAND_MARKER_VARIABLE]: marker }, ...(cwd ? { cwd } : {}) };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

type McpClientClass = typeof MCPClient;

/** Creates the client of one server and starts it. */
function startServer(Client: McpClientClass, name: string, server: McpServerConfig, marker: string, options: StartMcpServersOptions): StartedServer {
  // A unique id: MCPClient refuses a second instance with the same servers otherwise.
  const client = new Client({ id: `plan-execute-${marker}-${name}`, servers: { [name]: definition(server, marker) }, timeout: options.requestTimeoutMs });
  client.__setLogger(options.logger);
  const discovery = client.listToolsetsWithErrors().then(
    ({ toolsets, errors }): Discovery => (errors[name] === undefined ? { tools: toolsets[name] ?? {} } : { error: errors[name] }),
    (error: unknown): Discovery => ({ error: messageOf(error) }),
  );
  return { name, client, discovery };
}

/**
 * Closes every client (a local server gets end-of-input, then SIGTERM, then SIGKILL), then kills
 * the processes carrying `marker` until every start attempt has ended (at most STRAGGLER_BOUND_MS),
 * and once more after: MCPClient cannot reach a server that is still starting. Never throws.
 */
async function stopServers(servers: readonly StartedServer[], marker: string): Promise<void> {
  await Promise.all(servers.map((server) => server.client.disconnect().catch(() => {})));
  let settled = false;
  const allSettled = Promise.all(servers.map((server) => server.discovery)).then(() => {
    settled = true;
  });
  for (const until = Date.now() + STRAGGLER_BOUND_MS; !settled && Date.now() < until; ) {
    await killCommandProcesses(-1, marker);
    await Promise.race([allSettled, sleep(SWEEP_INTERVAL_MS)]);
  }
  // -1 is no process: only the marker selects what to kill.
  await killCommandProcesses(-1, marker);
}

/**
 * Starts every server of `config` at once and waits for each to list its tools, at most
 * `startupTimeoutMs` in all. Each request to a server is bounded by `requestTimeoutMs`.
 */
export async function startMcpServers(config: McpConfig, marker: string, options: StartMcpServersOptions): Promise<McpServersStart> {
  // Imported on first use: @mastra/mcp and the MCP SDK add about half a second to loading the package.
  const { MCPClient: Client } = await import('@mastra/mcp');
  const servers = Object.entries(config.mcpServers).map(([name, server]) => startServer(Client, name, server, marker, options));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), options.startupTimeoutMs);
  });
  const outcomes = await Promise.all(servers.map((server) => Promise.race([server.discovery, deadline])));
  clearTimeout(timer);
  const toolsets: Record<string, Record<string, unknown>> = {};
  const failures: Array<{ name: string; reason: string }> = [];
  servers.forEach(({ name }, index) => {
    const outcome = outcomes[index];
    if (outcome === TIMED_OUT || outcome === undefined) failures.push({ name, reason: 'timeout' });
    else if ('error' in outcome) failures.push({ name, reason: outcome.error });
    else toolsets[name] = outcome.tools;
  });
  let stopped: Promise<void> | null = null;
  return { toolsets, failures, stop: () => (stopped ??= stopServers(servers, marker)) };
}
