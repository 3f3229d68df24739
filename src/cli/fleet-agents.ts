/**
 * The agents `plan-execute worker` registers: `default` (the models of the environment and the
 * workspace tools, as `run` has them) and the two offline examples, `adoption-report` and
 * `python-scaffold`. Loads Mastra: imported by the worker command after its arguments are checked.
 */
import path from 'node:path';
import { isPlanExecuteError } from '../engine/errors.ts';
import type { Executor } from '../engine/ports.ts';
import { createCorpusSearchTool, createScriptedAdoptionModels, REPORT_CONCURRENCY } from '../examples/adoption-report/index.ts';
import { createScaffoldTools, scriptedScaffoldExecutor } from '../examples/python-scaffold/index.ts';
import { SCAFFOLD_PLAN, SCAFFOLD_REVISION, SCAFFOLD_SUMMARY } from '../examples/python-scaffold/scripted-roles.ts';
import type { FleetAgent } from '../fleet/index.ts';
import { modelsFromEnv } from '../models.ts';
import { PlanAndExecute } from '../plan-and-execute.ts';
import { createScriptedModel, type ScriptedCall, scriptPlan, scriptReplan, text } from '../testing/index.ts';
import { createFileTools } from '../tools/file-tools.ts';
import { Workspace } from '../tools/workspace.ts';
import { createRunTools, describeRunTools } from './run-tools.ts';

/** The names the examples are registered under (`submit --agent <name>`); each works in `<workspace>/<name>`. */
export const EXAMPLE_AGENTS = ['adoption-report', 'python-scaffold'] as const;

/** Options of {@link createFleetAgents}. */
export interface FleetAgentsOptions {
  /** The environment with ./.env added: the models of `default`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder of `default`'s tools; the examples work in sub-folders named after them. */
  readonly workspaceDir: string;
  /** Programs `default`'s runCommand may run; none: no runCommand. */
  readonly allowedCommands: readonly string[];
  /** Strings every agent redacts, on top of the process environment's secrets (the database password, ./.env's secrets). */
  readonly redact: readonly string[];
  /** The worker's usage text, for a workspace or allow-list that cannot be used. */
  readonly usage: string;
}

/** The agents to register, and what the worker should tell the user about them (one line each). */
export interface FleetAgents {
  readonly agents: Readonly<Record<string, FleetAgent>>;
  /** Notes for stderr: `default` not registered for want of a model, an example that could not be built. */
  readonly notes: readonly string[];
  /** `default`'s tools, as `run` describes them; null when `default` is not registered. */
  readonly defaultTools: string | null;
}

/** Time limit of one scaffold command: a venv takes about 4 s on a slow machine, pip fails at once offline. */
const SCAFFOLD_COMMAND_TIMEOUT_MS = 120_000;
/** More planner calls than one scaffold run makes (a plan, a revision, the summary, and validation repairs). */
const SCAFFOLD_PLANNER_CALLS = 20;

/**
 * Builds the worker's agents. `default` needs a model: without OPENAI_API_KEY or OPENAI_BASE_URL
 * it is left out, with a note; an example that cannot be built (its corpus missing, say) is left
 * out with a note. Throws UsageError for a workspace or allow-list `default` cannot use.
 */
export async function createFleetAgents(options: FleetAgentsOptions): Promise<FleetAgents> {
  const agents: Record<string, FleetAgent> = {};
  const notes: string[] = [];
  const built = await defaultAgent(options);
  if (built) agents.default = built.agent;
  else notes.push('no model configured (set OPENAI_API_KEY or OPENAI_BASE_URL in the environment or ./.env): the `default` agent is not registered');
  const examples = { 'adoption-report': adoptionReportAgent, 'python-scaffold': pythonScaffoldAgent } as const;
  for (const name of EXAMPLE_AGENTS) {
    try {
      agents[name] = await examples[name](path.join(options.workspaceDir, name), options.redact);
    } catch (error) {
      notes.push(`the \`${name}\` example is not registered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { agents, notes, defaultTools: built?.tools ?? null };
}

/** `run`'s agent: the environment's models, the workspace tools; null when no model is configured. */
async function defaultAgent({ env, workspaceDir, allowedCommands, redact, usage }: FleetAgentsOptions) {
  let models: ReturnType<typeof modelsFromEnv>;
  try {
    models = modelsFromEnv(env);
  } catch (error) {
    if (isPlanExecuteError(error, 'MODEL_NOT_CONFIGURED')) return null;
    throw error;
  }
  const runTools = await createRunTools({ workspaceDir, allowedCommands, usage });
  const agent = new PlanAndExecute({ ...models, tools: runTools.tools, redact });
  return { agent, tools: describeRunTools(runTools) };
}

/**
 * A FleetAgent that builds a new PlanAndExecute for every run job, and for every step. The
 * examples' scripted models are queues holding the answers of one run (adoption-report's planner
 * holds one plan, its executor 14 answers): one PlanAndExecute shared by every run of a worker
 * would run dry on the second run. Their answers are read from the prompt, so a fresh set takes
 * a run up wherever it stands: a continuation after approval, a takeover, one step in step mode.
 */
function freshForEachRun(build: () => PlanAndExecute): FleetAgent {
  return {
    async runRoles(hooks) {
      const roles = await build().runRoles(hooks);
      const executor: Executor = { execute: async (request) => (await build().runRoles(hooks)).executor.execute(request) };
      return { ...roles, executor };
    },
  };
}

/** The adoption-report example: scripted models, `search` over the bundled corpus, `writeFile` confined to `directory`. */
async function adoptionReportAgent(directory: string, redact: readonly string[]): Promise<FleetAgent> {
  const search = await createCorpusSearchTool();
  const { writeFile } = createFileTools(await Workspace.create(directory));
  const tools = { search, writeFile };
  return freshForEachRun(() => new PlanAndExecute({ ...createScriptedAdoptionModels(), tools, concurrency: REPORT_CONCURRENCY, redact }));
}

/** The python-scaffold example, offline: scripted roles, sandboxed commands and file tools confined to `directory`. */
async function pythonScaffoldAgent(directory: string, redact: readonly string[]): Promise<FleetAgent> {
  const tools = createScaffoldTools(await Workspace.create(directory), { offline: true, commandTimeoutMs: SCAFFOLD_COMMAND_TIMEOUT_MS });
  return freshForEachRun(() => new PlanAndExecute({ planner: scaffoldPlanner(), executor: scriptedScaffoldExecutor(), tools, redact }));
}

/**
 * The scaffold's planner (it is also its synthesizer), answering by what it is asked rather than
 * in a fixed order as `scriptedScaffoldPlanner()` does (plan, revision, summary): a run continued
 * by another job (after approval) asks a fresh planner for the revision first.
 */
function scaffoldPlanner() {
  const answer = ({ options }: ScriptedCall) => {
    if (options.responseFormat?.type !== 'json') return text(SCAFFOLD_SUMMARY);
    // A replan decision's schema has `action` (revise, skip, abort); a plan's has `steps` and `goal`.
    const properties = (options.responseFormat.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    return 'action' in properties ? scriptReplan(SCAFFOLD_REVISION) : scriptPlan(SCAFFOLD_PLAN);
  };
  return createScriptedModel(Array(SCAFFOLD_PLANNER_CALLS).fill(answer), { name: 'scaffold-planner' });
}
