import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidOptionsError } from '../../engine/errors.ts';
import type { PlanRunListener } from '../../engine/events.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { PlanAndExecute, type RoleInput } from '../../plan-and-execute.ts';
import { Workspace } from '../../tools/workspace.ts';
import { createScaffoldTools, SCAFFOLD_COMMANDS } from './sandbox-tools.ts';
import { scriptedScaffoldExecutor, scriptedScaffoldPlanner } from './scripted-roles.ts';

/** The task, as a user would type it. */
export const PYTHON_SCAFFOLD_TASK =
  'Scaffold a Python REST API project: create the directory structure, set up a virtual environment and install FastAPI ' +
  'and uvicorn, write main.py with a health check, a Dockerfile and a README.';

/** What a real executor needs to know about the sandbox; the tools' descriptions say the rest. */
const WORKSPACE_NOTES = `

Work only inside the workspace (paths relative to its root). Commands run without a shell; allowed: ${SCAFFOLD_COMMANDS.join(', ')}.
Create the virtual environment with \`python3 -m venv .venv\` and run pip as \`.venv/bin/python -m pip\`. Put the application in app/main.py.`;

/** A generous limit: a venv takes ~4 s, a real install of FastAPI and uvicorn about a minute on a slow link. */
const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

/** The roles of a scaffold run; the synthesizer defaults to the planner's model. */
export interface PythonScaffoldRoles {
  readonly planner: RoleInput;
  readonly executor: RoleInput;
  readonly synthesizer?: RoleInput;
}

/** Options of {@link runPythonScaffold}. */
export interface PythonScaffoldOptions {
  /** Real roles (for example `modelsFromEnv()`); omitted: deterministic scripted roles, always offline. */
  readonly models?: PythonScaffoldRoles;
  /** Absolute directory the project is written to, created if missing. @default a fresh `mkdtemp` directory under the OS temp dir */
  readonly workspaceDir?: string;
  /** Make pip fail as on a machine without a network (no index, no pip config). @default true without `models`, false with them */
  readonly offline?: boolean;
  /** Time limit of one command. @default 120000 */
  readonly commandTimeoutMs?: number;
  /** Extra environment for commands, such as HTTPS_PROXY; nothing else of this process reaches them. @default {} */
  readonly env?: Record<string, string>;
  /** Receives every run event. */
  readonly onEvent?: PlanRunListener;
  /** Cancels the run (and kills a running command). */
  readonly abortSignal?: AbortSignal;
}

/** A finished scaffold run. */
export interface PythonScaffoldRun {
  /** The run's result: status, plans, revisions, every step attempt. */
  readonly result: PlanRunResult;
  /** The real path of the directory the project was written to. */
  readonly workspaceDir: string;
}

/**
 * Runs the Python REST API scaffold task with Plan & Execute inside a sandbox directory: the
 * executor has `runCommand` (python3, `.venv/bin/python`, mkdir, ls; no shell, scrubbed
 * environment) and the workspace file tools, all confined to that directory.
 *
 * Without `models` the roles are scripted: the plan installs FastAPI into a real venv, the real
 * `pip install` fails offline, and the replanner revises the rest of the plan to write
 * requirements.txt and a README note instead; the run ends `completed`.
 * @example
 * const { result, workspaceDir } = await runPythonScaffold();                        // offline, scripted
 * const online = await runPythonScaffold({ models: modelsFromEnv(), workspaceDir: '/tmp/api' }); // real models
 */
export async function runPythonScaffold(options: PythonScaffoldOptions = {}): Promise<PythonScaffoldRun> {
  const { models, workspaceDir, offline = !models, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS, env, onEvent, abortSignal } = options;
  if (!models && !offline) throw new InvalidOptionsError('The scripted scaffold run is offline only; pass `models` to run online');
  if (workspaceDir !== undefined && !path.isAbsolute(workspaceDir)) {
    throw new InvalidOptionsError(`Expected \`workspaceDir\` to be an absolute path, got ${JSON.stringify(workspaceDir)}`);
  }
  const workspace = await Workspace.create(workspaceDir ?? (await mkdtemp(path.join(os.tmpdir(), 'python-scaffold-'))));
  const tools = createScaffoldTools(workspace, { offline, commandTimeoutMs, ...(env ? { env } : {}) });
  const roles: PythonScaffoldRoles = models ?? { planner: scriptedScaffoldPlanner(), executor: scriptedScaffoldExecutor() };
  const agent = new PlanAndExecute({ ...roles, tools });
  const task = models ? PYTHON_SCAFFOLD_TASK + WORKSPACE_NOTES : PYTHON_SCAFFOLD_TASK;
  const result = await agent.run(task, { ...(onEvent ? { onEvent } : {}), ...(abortSignal ? { abortSignal } : {}) });
  return { result, workspaceDir: workspace.root };
}
