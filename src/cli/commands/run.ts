import { DEFAULTS, type RunSettingsInput } from '../../engine/settings.ts';
import { modelsFromEnv, type RoleModels } from '../../models.ts';
import { createPlanApprover, type PlanApprover } from '../approval/approve-plan.ts';
import { editText } from '../approval/editor.ts';
import { parseCommandLine, parseInteger, singlePositional, UsageError } from '../args.ts';
import { secretsFromEnv } from '../../engine/redact.ts';
import { withEnvFile } from '../env-file.ts';
import { EXIT, exitCodeForRun } from '../exit-codes.ts';
import { trapInterrupt } from '../interrupt.ts';
import { writeLine, type CliIo } from '../io.ts';
import { createRunView, outputMode, printRunResult, type OutputMode, type RunView } from '../output/run-view.ts';
import type { McpTools } from '../../tools/mcp-tools.ts';
import { describeMcpTools, loadRunMcpTools, mcpConfigFileFor } from '../run-mcp.ts';
import type { RunTools } from '../run-tools.ts';
import { parseAllowList, workspaceDirFor } from '../run-tool-options.ts';
import { openPlanCache, planCacheTarget, type PlanCacheTarget } from '../plan-cache-option.ts';
import { RUN_USAGE } from '../usage.ts';

const OPTIONS = {
  workspace: { type: 'string' },
  allow: { type: 'string' },
  mcp: { type: 'string', multiple: true },
  approve: { type: 'boolean' },
  'max-replans': { type: 'string' },
  concurrency: { type: 'string' },
  'max-tokens': { type: 'string' },
  'plan-cache': { type: 'string' },
  'stream-plan': { type: 'boolean' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type RunFlags = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/** The run settings the flags ask for; a UsageError for a bad number, or for --stream-plan with --approve. */
function settingsFromFlags(values: RunFlags): RunSettingsInput {
  if (values['stream-plan'] && values.approve) {
    throw new UsageError('--stream-plan starts steps before the plan is whole, and --approve shows the plan before anything runs: use one of them', RUN_USAGE);
  }
  const integer = (flag: keyof typeof OPTIONS, min: number) => {
    const raw = values[flag];
    return typeof raw === 'string' ? parseInteger(`--${flag}`, raw, min, RUN_USAGE) : undefined;
  };
  const maxReplans = integer('max-replans', 0);
  const concurrency = integer('concurrency', 1);
  const maxTokens = integer('max-tokens', 1);
  return {
    ...(maxReplans === undefined ? {} : { maxReplans }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(maxTokens === undefined ? {} : { budget: { maxTokens } }),
    ...(values['stream-plan'] ? { streamPlan: true } : {}),
  };
}

/** The y / n / e prompt; it writes where the progress goes, or to stderr when stdout is JSON. */
function approverFor(io: CliIo, json: boolean, view: RunView, toolNames: readonly string[]): PlanApprover {
  const output = json ? io.stderr : io.stdout;
  return createPlanApprover({
    input: io.stdin,
    output,
    validation: { toolNames, maxPlanSteps: DEFAULTS.maxPlanSteps },
    // The editor gets the terminal: stdin, and the prompt's stream as its stdout.
    editPlan: (text) => editText(text, { env: io.env, stdio: ['inherit', output.fd ?? 'inherit', 'inherit'] }),
    onPromptStart: () => view.pause(),
    onPromptEnd: () => view.resume(),
  });
}

/** Everything a run needs, checked before anything runs. */
interface RunPlanned {
  readonly task: string;
  readonly flags: RunFlags;
  readonly settings: RunSettingsInput;
  readonly models: RoleModels;
  readonly runTools: RunTools;
  readonly planCache: PlanCacheTarget | undefined;
  /** The MCP servers' tools (`--mcp`) and the file they come from; disconnected when the run ends. */
  readonly mcp: { readonly tools: McpTools; readonly file: string } | null;
}

/**
 * Checks the task, the flags and the models, then opens the workspace, builds the tools and
 * starts the MCP servers (last, so nothing after them can fail); throws UsageError or MissingModelError.
 */
async function prepareRun(values: RunFlags, positionals: readonly string[], io: CliIo): Promise<RunPlanned> {
  const task = singlePositional(positionals, 'the task', RUN_USAGE);
  const settings = settingsFromFlags(values);
  const planCache = planCacheTarget(values['plan-cache'], io.cwd, RUN_USAGE);
  const allowedCommands = parseAllowList(values.allow, RUN_USAGE);
  const mcpFile = mcpConfigFileFor(values.mcp, io.cwd, RUN_USAGE);
  const env = await withEnvFile(io.env, io.cwd);
  const workspaceDir = workspaceDirFor(values.workspace, env, io.cwd, RUN_USAGE);
  const models = modelsFromEnv(env);
  // Imported here, after the arguments and the models are checked: the tools load Mastra, which takes seconds.
  const { createRunTools } = await import('../run-tools.ts');
  const runTools = await createRunTools({ workspaceDir, allowedCommands, usage: RUN_USAGE });
  const mcpTools = await loadRunMcpTools(mcpFile, { existingToolNames: Object.keys(runTools.tools), usage: RUN_USAGE });
  // Keys read from ./.env are not in process.env, where PlanAndExecute looks for secrets: name them, and the MCP servers' env values.
  const redact = [...(settings.redact ?? []), ...secretsFromEnv(env), ...(mcpTools?.redact ?? [])];
  const mcp = mcpTools && mcpFile ? { tools: mcpTools, file: mcpFile } : null;
  return { task, flags: values, settings: { ...settings, redact }, models, runTools, planCache, mcp };
}

/** Runs the prepared task with its view and Ctrl-C handling; returns the exit code. */
async function executeRun({ task, flags, settings, models, runTools, planCache, mcp }: RunPlanned, io: CliIo, mode: OutputMode): Promise<number> {
  const { describeRunTools } = await import('../run-tools.ts');
  if (mode !== 'json') writeLine(io.stdout, describeRunTools(runTools));
  if (mode !== 'json' && mcp) writeLine(io.stdout, describeMcpTools(mcp.tools, mcp.file));
  const tools = { ...runTools.tools, ...mcp?.tools.tools };
  const view = createRunView(mode, io, { verbose: flags.verbose ?? false });
  const approver = flags.approve ? approverFor(io, mode === 'json', view, Object.keys(tools)) : undefined;
  const { PlanAndExecute } = await import('../../plan-and-execute.ts');
  const cache = planCache && (await openPlanCache(planCache));
  const agent = new PlanAndExecute({
    ...models,
    tools,
    ...settings,
    approvePlan: approver?.approvePlan,
    ...(cache ? { planCache: cache.cache } : {}),
  });
  const controller = new AbortController();
  const interrupt = trapInterrupt(io, controller, () => approver?.close());
  let endingError: unknown = null;
  try {
    const result = await agent.run(task, {
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'run-finished') endingError = event.error;
        return view.onEvent(event);
      },
    });
    view.close();
    printRunResult(mode, result, io, endingError);
    return interrupt.interrupted ? EXIT.interrupted : exitCodeForRun(result);
  } finally {
    interrupt.dispose();
    approver?.close();
    view.close();
    await cache?.close();
  }
}

/**
 * `plan-execute run "<task>"`: one Plan & Execute run with the models from the environment, the
 * workspace tools and the tools of the `--mcp` servers, which are stopped when the run ends, however
 * it ends. Returns the exit code; throws UsageError and MissingModelError for main() to report.
 */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, RUN_USAGE);
  if (values.help) {
    writeLine(io.stdout, RUN_USAGE);
    return EXIT.ok;
  }
  const prepared = await prepareRun(values, positionals, io);
  try {
    return await executeRun(prepared, io, outputMode(values.json ?? false, io));
  } finally {
    await prepared.mcp?.tools.disconnect();
  }
}
