/**
 * The Python REST API scaffold example: Plan & Execute with sandboxed commands and file tools.
 * @module
 */
export { PYTHON_SCAFFOLD_TASK, runPythonScaffold } from './run-python-scaffold.ts';
export type { PythonScaffoldOptions, PythonScaffoldRoles, PythonScaffoldRun } from './run-python-scaffold.ts';
export { createScaffoldTools, SCAFFOLD_COMMANDS } from './sandbox-tools.ts';
export type { ScaffoldToolsOptions } from './sandbox-tools.ts';
export { scriptedScaffoldExecutor, scriptedScaffoldPlanner } from './scripted-roles.ts';
