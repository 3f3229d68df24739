import {
  createScriptedModel,
  scriptPlan,
  scriptStepOutcome,
  text,
  toolCall,
  type ModelPrompt,
  type ScriptedCall,
  type ScriptedModel,
  type ScriptedReply,
} from '../../testing/index.ts';
import { assembleReport, formatHits, parseFindings, type ReportSection } from './report-markdown.ts';
import { offlineReportPlan, REPORT_FILE, RESEARCH_TOPICS, WRITE_STEP_ID } from './report-plan.ts';
import type { SearchHit } from './search-index.ts';

/** The three scripted models of the offline run. */
export interface ScriptedAdoptionModels {
  /** Answers once, with `offlineReportPlan()`. */
  readonly planner: ScriptedModel;
  /** Answers two calls per step: the tool call, then the outcome built from the tool's result. */
  readonly executor: ScriptedModel;
  /** Answers once, with a one-paragraph summary. */
  readonly synthesizer: ScriptedModel;
}

/** The note under the offline report's title. */
export const OFFLINE_REPORT_NOTE =
  'Assembled offline by scripted models from the illustrative corpus that ships with the example; every organisation and figure in it is fictional.';

/** The offline synthesizer's answer. */
export const OFFLINE_SUMMARY = `The enterprise LLM-adoption report is saved as ${REPORT_FILE}: current adoption, main use cases, barriers, governance, cost and recommendations, each finding citing the source the search returned.`;

const userText = (prompt: ModelPrompt) =>
  prompt
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])))
    .join('\n');

/** The tool result the prompt ends with, or undefined when the last message is not a tool's. */
function lastToolResult(prompt: ModelPrompt): { toolName: string; value: unknown } | undefined {
  const last = prompt.at(-1);
  if (last?.role !== 'tool') return undefined;
  const part = last.content.find((candidate) => candidate.type === 'tool-result');
  if (part?.type !== 'tool-result') return undefined;
  return { toolName: part.toolName, value: part.output.type === 'json' ? part.output.value : undefined };
}

/** The outputs of the steps this one depends on, by step id, as the executor prompt quotes them. */
function dependencyOutputs(prompt: string): Map<string, string> {
  const blocks = prompt.matchAll(/<data source="output of ([\w-]+) [^\n]*>\n([\s\S]*?)\n<\/data>/g);
  return new Map([...blocks].map(([, id = '', output = '']) => [id, output]));
}

const succeed = (output: string) => scriptStepOutcome({ success: true, output, error: null });
const fail = (error: string) => scriptStepOutcome({ success: false, output: '', error });

/** The report the write step saves: one section per research topic, from its dependency's findings. */
function reportFromPrompt(prompt: string): string {
  const outputs = dependencyOutputs(prompt);
  const sections: ReportSection[] = RESEARCH_TOPICS.map((topic) => ({ heading: topic.heading, findings: parseFindings(outputs.get(topic.id) ?? '') }));
  return assembleReport(sections, OFFLINE_REPORT_NOTE);
}

/** The step outcome once the tool of the step answered. */
function outcomeOf(result: { toolName: string; value: unknown }): ScriptedReply {
  const value = result.value as { ok?: boolean; results?: SearchHit[]; path?: string; bytes?: number; error?: string } | undefined;
  if (!value?.ok) return fail(`${result.toolName} failed: ${value?.error ?? 'no result'}`);
  if (result.toolName === 'search') return value.results?.length ? succeed(formatHits(value.results)) : fail('The search found no documents');
  return succeed(`Saved ${value.path} (${value.bytes} bytes)`);
}

/** The first call of a step: search for the quoted query, or write the report for the write step. */
function firstCallOf(prompt: string): ScriptedReply {
  const stepId = /Your step \(([\w-]+)\)/.exec(prompt)?.[1];
  if (stepId === WRITE_STEP_ID) return toolCall('writeFile', { path: REPORT_FILE, content: reportFromPrompt(prompt) });
  const query = /search the corpus for "([^"]+)"/.exec(prompt)?.[1];
  return query ? toolCall('search', { query }) : fail(`The scripted executor has no script for step ${stepId ?? '(unknown)'}`);
}

/** One executor call, whichever step it belongs to: parallel steps may call in any order. */
function executorReply({ prompt }: ScriptedCall): ScriptedReply {
  // Tool call ids default to `call-<n>` for the n-th model call: unique whatever order the steps call in.
  const result = lastToolResult(prompt);
  return result ? outcomeOf(result) : firstCallOf(userText(prompt));
}

/**
 * Deterministic models for the offline run: the planner answers with `offlineReportPlan()`; the
 * executor reads its step from the prompt, calls `search` with the step's quoted query and
 * answers with the hits it got back (or, for the write step, saves a report assembled from the
 * findings quoted in its prompt with `writeFile`); the synthesizer sums up. Each script holds
 * exactly the calls one run needs, so an extra call throws ScriptExhaustedError.
 */
export function createScriptedAdoptionModels(): ScriptedAdoptionModels {
  const executorCalls = (RESEARCH_TOPICS.length + 1) * 2;
  return {
    planner: createScriptedModel([scriptPlan(offlineReportPlan())], { name: 'adoption-planner' }),
    executor: createScriptedModel(
      Array.from({ length: executorCalls }, () => executorReply),
      { name: 'adoption-executor' },
    ),
    synthesizer: createScriptedModel([text(OFFLINE_SUMMARY)], { name: 'adoption-synthesizer' }),
  };
}
