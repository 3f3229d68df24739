import type { PlanStep } from '../../engine/plan-schema.ts';
import { createScriptedModel, scriptPlan, scriptReplan, scriptStepOutcome, text, toolCall, type ScriptedCall } from '../../testing/index.ts';
import { DOCKERFILE, MAIN_PY, README_MD, REQUIREMENTS_TXT } from './project-files.ts';

const step = (id: string, description: string, expectedOutput: string, dependsOn: string[], toolHint: string): PlanStep => ({
  id,
  description,
  expectedOutput,
  dependsOn,
  toolHint,
});

/** The first plan: install the dependencies into the venv, then write files that rely on them. */
export const SCAFFOLD_PLAN = {
  goal: 'A FastAPI project scaffolded in the workspace, with a virtual environment and its dependencies',
  rationale: 'Directories first; the venv and the app code are independent; the Dockerfile mirrors the installed packages; the README describes it all.',
  steps: [
    step('structure', 'Create the directories app/ and tests/', 'the directories exist', [], 'runCommand'),
    step('venv', 'Create a virtual environment in .venv with python3 -m venv', '.venv/bin/python runs', ['structure'], 'runCommand'),
    step('main', 'Write app/main.py: a FastAPI app with GET /health returning {"status": "ok"}', 'app/main.py written', ['structure'], 'writeFile'),
    step('install', 'Install fastapi and uvicorn into .venv with .venv/bin/python -m pip install', 'pip reports both installed', ['venv'], 'runCommand'),
    step(
      'dockerfile',
      'Write a Dockerfile that installs the same packages and serves app.main:app with uvicorn',
      'Dockerfile written',
      ['install'],
      'writeFile',
    ),
    step('readme', 'Write README.md: layout, how to run, how to build the image', 'README.md written', ['main', 'dockerfile'], 'writeFile'),
  ],
};

/** The revision after the offline install failed: record the dependencies instead of installing them. */
export const SCAFFOLD_REVISION = {
  action: 'revise' as const,
  rationale:
    'pip cannot reach a package index (offline), and retrying will not change that. Keep the venv; list the dependencies in ' +
    'requirements.txt, have the Dockerfile install from it, and tell the reader in README.md to run pip install -r requirements.txt when online.',
  steps: [
    step('requirements', 'Write requirements.txt listing fastapi and uvicorn', 'requirements.txt written', [], 'writeFile'),
    step(
      'dockerfile',
      'Write a Dockerfile that installs requirements.txt and serves app.main:app with uvicorn',
      'Dockerfile written',
      ['requirements'],
      'writeFile',
    ),
    step('readme', 'Write README.md with a note to run pip install -r requirements.txt when online', 'README.md written', ['main', 'dockerfile'], 'writeFile'),
  ],
};

/** The synthesizer's answer (the synthesizer runs on the planner's model). */
export const SCAFFOLD_SUMMARY =
  'The FastAPI project is scaffolded: app/main.py (GET /health), Dockerfile, README.md, requirements.txt, tests/ and a virtual ' +
  'environment in .venv. Installing fastapi and uvicorn failed because no package index is reachable offline, so the plan was ' +
  'revised: the dependencies are listed in requirements.txt and README.md says to run `.venv/bin/python -m pip install -r requirements.txt` when online.';

/** The scripted planner: the plan, the revision after the failed install, then the summary. */
export function scriptedScaffoldPlanner() {
  return createScriptedModel([scriptPlan(SCAFFOLD_PLAN), scriptReplan(SCAFFOLD_REVISION), text(SCAFFOLD_SUMMARY)], { name: 'scaffold-planner' });
}

/** One tool call the scripted executor makes. */
interface Action {
  readonly tool: 'runCommand' | 'writeFile' | 'listFiles';
  readonly input: Record<string, unknown>;
}

const run = (command: string, ...args: string[]): Action => ({ tool: 'runCommand', input: { command, args } });
const write = (path: string, content: string): Action => ({ tool: 'writeFile', input: { path, content } });

/** What the executor does for each step id, in order. */
const ACTIONS: Readonly<Record<string, readonly Action[]>> = {
  structure: [run('mkdir', '-p', 'app', 'tests'), { tool: 'listFiles', input: { path: '.', depth: 1 } }],
  venv: [run('python3', '-m', 'venv', '.venv'), run('.venv/bin/python', '--version')],
  main: [write('app/main.py', MAIN_PY)],
  install: [run('.venv/bin/python', '-m', 'pip', 'install', 'fastapi', 'uvicorn')],
  requirements: [write('requirements.txt', REQUIREMENTS_TXT)],
  dockerfile: [write('Dockerfile', DOCKERFILE)],
  readme: [write('README.md', README_MD)],
};

type ToolReport = { ok: boolean; error?: string; stdout?: string; stderr?: string; path?: string; bytes?: number; entries?: string[] };

const userText = (call: ScriptedCall) =>
  call.prompt
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('\n');

/** The results of the tool calls made so far in this step, in order. */
function toolReports(call: ScriptedCall): ToolReport[] {
  return call.prompt
    .filter((message) => message.role === 'tool')
    .flatMap((message) => message.content)
    .flatMap((part) => (part.type === 'tool-result' && part.output.type === 'json' ? [part.output.value as ToolReport] : []));
}

/** One line saying what `action` did, from its report. */
function describe(action: Action, report: ToolReport): string {
  if (action.tool === 'runCommand') {
    const line = [action.input.command, ...(action.input.args as string[])].join(' ');
    const printed = `${report.stdout ?? ''}${report.stderr ?? ''}`.trim();
    return report.ok ? `\`${line}\` succeeded${printed ? `: ${printed}` : ''}` : `\`${line}\` failed (${report.error}): ${printed}`;
  }
  if (!report.ok) return `${action.tool} failed: ${report.error}`;
  return action.tool === 'writeFile' ? `wrote ${report.path} (${report.bytes} bytes)` : `listed: ${report.entries?.join(' ')}`;
}

/**
 * The scripted executor: reads its step id from the prompt, makes that step's tool calls one per
 * turn, then reports success only if every tool call succeeded, quoting the tools' own output
 * (pip's real error included). Deterministic whatever order parallel steps run in.
 */
export function scriptedScaffoldExecutor() {
  const answer = (call: ScriptedCall) => {
    const stepId = /Your step \(([\w-]+)\)/.exec(userText(call))?.[1] ?? '';
    const actions = ACTIONS[stepId] ?? [];
    const reports = toolReports(call);
    const next = actions[reports.length];
    const failed = reports.findIndex((report) => !report.ok);
    if (next && failed === -1) return toolCall(next.tool, next.input, { id: `call-${call.callIndex}` });
    const lines = reports.map((report, index) => describe(actions[index]!, report));
    if (failed !== -1) return scriptStepOutcome({ success: false, output: lines.slice(0, failed).join('\n'), error: lines[failed]! });
    if (actions.length === 0) return scriptStepOutcome({ success: false, output: '', error: `The scripted executor has no actions for step "${stepId}"` });
    return scriptStepOutcome({ success: true, output: lines.join('\n'), error: null });
  };
  return createScriptedModel(
    Array.from({ length: 60 }, () => answer),
    { name: 'scaffold-executor' },
  );
}
