/**
 * Sandboxed tools: workspace-confined file tools and an allow-listed command runner.
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
