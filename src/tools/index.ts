/**
 * Sandboxed tools: workspace-confined file tools and an allow-listed command runner; tools from MCP servers.
 * @module
 */
export { Workspace, WorkspaceEscapeError } from './workspace.ts';
export { createFileTools } from './file-tools.ts';
export type { FileToolsOptions } from './file-tools.ts';
export { createRunCommandTool, CommandRunSchema } from './run-command.ts';
export type { CommandRun, RunCommandToolOptions } from './run-command.ts';
export type { SandboxMode } from './command-sandbox.ts';
export { ToolFailureSchema } from './tool-result.ts';
export type { ToolFailure } from './tool-result.ts';
export { TOOL_DEFAULTS } from './constants.ts';
export { loadMcpTools, MCP_DEFAULTS } from './mcp-tools.ts';
export type { LoadMcpToolsOptions, McpTools } from './mcp-tools.ts';
export { mcpConfigSecrets, McpConfigSchema, McpServerConfigSchema, parseMcpConfig, readMcpConfig } from './mcp-config.ts';
export type { McpConfig, McpHttpServerConfig, McpServerConfig, McpStdioServerConfig } from './mcp-config.ts';
