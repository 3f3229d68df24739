import type { ToolsInput } from '@mastra/core/agent';
import { DEFAULTS } from '../../engine/constants.ts';
import { modelsFromEnv } from '../../models.ts';
import type { RunSettingsInput } from '../../engine/resolve-settings.ts';
import { createPlanApprover, type PlanApprover } from '../approval/approve-plan.ts';
import { editText } from '../approval/editor.ts';
import { parseCommandLine, parseInteger, singlePositional } from '../args.ts';
import { withEnvFile } from '../env-file.ts';
import { EXIT, exitCodeForStatus } from '../exit-codes.ts';
import { trapInterrupt } from '../interrupt.ts';
import { writeLine, type CliIo } from '../io.ts';
import { createRunView, outputMode, printRunResult, type RunView } from '../output/run-view.ts';
import { RUN_USAGE } from '../usage.ts';

const OPTIONS = {
  approve: { type: 'boolean' },
  'max-replans': { type: 'string' },
  concurrency: { type: 'string' },
  'max-tokens': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The executor's tools in `run`: none yet, so every step is the executor model's own work. */
const RUN_TOOLS: ToolsInput = {};

type RunFlags = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/** The run settings the flags ask for; a UsageError for a bad number. */
function settingsFromFlags(values: RunFlags): RunSettingsInput {
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
  };
}

/** The y / n / e prompt; it writes where the progress goes, or to stderr when stdout is JSON. */
function approverFor(io: CliIo, json: boolean, view: RunView): PlanApprover {
  const output = json ? io.stderr : io.stdout;
  return createPlanApprover({
    input: io.stdin,
    output,
    validation: { toolNames: Object.keys(RUN_TOOLS), maxSteps: DEFAULTS.maxSteps },
    // The editor gets the terminal: stdin, and the prompt's stream as its stdout.
    editPlan: (text) => editText(text, { env: io.env, stdio: ['inherit', output.fd ?? 'inherit', 'inherit'] }),
    onPromptStart: () => view.pause(),
    onPromptEnd: () => view.resume(),
  });
}

/**
 * `plan-execute run "<task>"`: one Plan & Execute run with the models from the environment.
 * Returns the exit code; throws UsageError and MissingModelError for main() to report.
 */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, RUN_USAGE);
  if (values.help) {
    writeLine(io.stdout, RUN_USAGE);
    return EXIT.ok;
  }
  const task = singlePositional(positionals, 'the task', RUN_USAGE);
  const settings = settingsFromFlags(values);
  const models = modelsFromEnv(await withEnvFile(io.env, io.cwd));

  const json = values.json ?? false;
  const mode = outputMode(json, io);
  const view = createRunView(mode, io);
  const approver = values.approve ? approverFor(io, json, view) : undefined;
  // Imported here, after the arguments and the models are checked: Mastra takes seconds to load.
  const { PlanAndExecute } = await import('../../plan-and-execute.ts');
  const agent = new PlanAndExecute({ ...models, tools: RUN_TOOLS, ...settings, approvePlan: approver?.approvePlan });
  const controller = new AbortController();
  const interrupt = trapInterrupt(io, controller, () => approver?.close());
  try {
    const result = await agent.run(task, { abortSignal: controller.signal, onEvent: view.onEvent });
    view.close();
    printRunResult(mode, result, io);
    return interrupt.interrupted ? EXIT.interrupted : exitCodeForStatus(result.status);
  } finally {
    interrupt.dispose();
    approver?.close();
    view.close();
  }
}
