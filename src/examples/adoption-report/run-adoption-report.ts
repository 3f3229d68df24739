import path from 'node:path';
import type { MastraModelConfig } from '@mastra/core/llm';
import { InvalidOptionsError } from '../../engine/errors.ts';
import type { PlanRunListener } from '../../engine/events.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { PlanAndExecute, type RoleInput } from '../../plan-and-execute.ts';
import { createFileTools } from '../../tools/file-tools.ts';
import { Workspace } from '../../tools/workspace.ts';
import { REPORT_FILE, REPORT_TASK, RESEARCH_TOPICS } from './report-plan.ts';
import { createScriptedAdoptionModels } from './scripted-roles.ts';
import { createCorpusSearchTool } from './search-tool.ts';

/** Independent steps run at once: enough for one research step per report section. */
export const REPORT_CONCURRENCY = RESEARCH_TOPICS.length;

/** The models of a report run. */
export interface AdoptionReportModels {
  /** Writes the plan. */
  readonly planner: RoleInput;
  /** Runs the steps with `search` and `writeFile`; a model, since the run gives it its tools. */
  readonly executor: MastraModelConfig;
  /** Sums the run up. @default the planner's model */
  readonly synthesizer?: RoleInput;
}

/** Options of {@link runAdoptionReport}. */
export interface AdoptionReportOptions {
  /** The models to run on, e.g. `modelsFromEnv()`. @default deterministic scripted models (`createScriptedAdoptionModels()`) */
  readonly models?: AdoptionReportModels;
  /** The only folder the run may write to (created if needed); relative paths are resolved against the working directory. */
  readonly outputDir: string;
  /** The documents `search` indexes. @default the illustrative corpus that ships with the example */
  readonly corpusDir?: string;
  /** Receives every run event. */
  readonly onEvent?: PlanRunListener;
  /** Cancels the run; it then resolves `cancelled`. */
  readonly abortSignal?: AbortSignal;
}

/** What a report run produced. */
export interface AdoptionReport {
  /** The run's result: status, plan, step outputs, usage. */
  readonly result: PlanRunResult;
  /** Where the task asks the report to be saved: `report.md` in the output folder (written when the run completed). */
  readonly reportPath: string;
}

function checkOptions({ models, outputDir }: AdoptionReportOptions): void {
  if (typeof outputDir !== 'string' || outputDir.trim() === '') {
    throw new InvalidOptionsError(`Expected \`outputDir\` to be a non-empty path, got ${JSON.stringify(outputDir)}`);
  }
  if (models !== undefined && (!models?.planner || !models.executor)) {
    throw new InvalidOptionsError('Expected `models` to hold a `planner` and an `executor` model (or leave `models` out to run offline)');
  }
}

/**
 * Writes an enterprise LLM-adoption report with Plan & Execute: the executor has `search` (full-text
 * search over the corpus) and `writeFile` (confined to `outputDir`), and the task asks for a cited
 * report saved as `report.md`. Without `models` the run is offline and deterministic: parallel
 * research steps, then one step that writes the report from their findings. Resolves for every
 * outcome of the run (see `result.status`); rejects with InvalidOptionsError for bad options and
 * CorpusError when the corpus cannot be loaded, before anything is written.
 *
 * @example
 * const { result, reportPath } = await runAdoptionReport({ outputDir: 'out' });
 * console.log(result.status, reportPath); // completed /abs/out/report.md
 */
export async function runAdoptionReport(options: AdoptionReportOptions): Promise<AdoptionReport> {
  checkOptions(options);
  const { models = createScriptedAdoptionModels(), outputDir, corpusDir, onEvent, abortSignal } = options;
  const search = await createCorpusSearchTool(corpusDir === undefined ? {} : { corpusDir });
  const workspace = await Workspace.create(path.resolve(outputDir));
  const { writeFile } = createFileTools(workspace);
  const { planner, executor, synthesizer } = models;
  const agent = new PlanAndExecute({ planner, executor, synthesizer, tools: { search, writeFile }, concurrency: REPORT_CONCURRENCY });
  const result = await agent.run(REPORT_TASK, { ...(onEvent ? { onEvent } : {}), ...(abortSignal ? { abortSignal } : {}) });
  return { result, reportPath: path.join(workspace.root, REPORT_FILE) };
}
