import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../../src/engine/errors.ts';
import type { PlanRunEvent } from '../../../src/engine/events.ts';
import {
  createCorpusSearchTool,
  createScriptedAdoptionModels,
  DEFAULT_CORPUS_DIR,
  OFFLINE_SUMMARY,
  REPORT_TASK,
  RESEARCH_TOPICS,
  runAdoptionReport,
  type SearchHit,
} from '../../../src/examples/adoption-report/index.ts';
import { createScriptedModel, scriptPlan, scriptReplan, scriptStepOutcome, toolCall, type ModelPrompt } from '../../../src/testing/index.ts';
import { eventTrail, recordEvents, userText } from '../../helpers/agent-fixtures.ts';

const RESEARCH_IDS = RESEARCH_TOPICS.map((topic) => topic.id);

const EXPECTED_HEADINGS = [
  '# Enterprise LLM adoption report',
  '## Current adoption',
  '## Main use cases',
  '## Barriers',
  '## Governance',
  '## Cost',
  '## Recommendations',
  '## Sources',
];

// What the corpus search returns for the six offline queries, as the report lists it.
const EXPECTED_SOURCES = [
  'Brightwater Health, case file (2024)',
  'Calder Governance Forum (2024)',
  'Calder Governance Forum, Regulatory Brief (2025)',
  'Fairmont Cloud Economics, Cost Benchmark (2024)',
  'Fairmont Cloud Economics, Note (2025)',
  'Halvard Consulting, Barrier Study (2024)',
  'Halvard Consulting, Use-Case Tracker (2024)',
  'Juniper Retail, case file (2024)',
  'Larkspur Bank, case file (2024)',
  'Meridian Insights, Enterprise AI Pulse (2024)',
  'Meridian Insights, Readiness Baseline (2023)',
  'Tessellate Labs, Field Report (2024)',
  'Tessellate Labs, Scaling Playbook (2025)',
];

/** The tool result a model call's prompt ends with, if any. */
function endingToolResult(prompt: ModelPrompt | undefined): { toolName: string; value: unknown } | undefined {
  const last = prompt?.at(-1);
  if (last?.role !== 'tool') return undefined;
  const part = last.content.find((candidate) => candidate.type === 'tool-result');
  return part?.type === 'tool-result' && part.output.type === 'json' ? { toolName: part.toolName, value: part.output.value } : undefined;
}

/** The lines of the `## heading` section of a Markdown report. */
function section(report: string, heading: string): string[] {
  const body = report.split(`\n## ${heading}\n\n`)[1] ?? '';
  return body.split('\n\n')[0]!.split('\n').filter(Boolean);
}

/** Every file and folder below `directory`, relative to it, sorted. */
async function tree(directory: string): Promise<string[]> {
  return (await readdir(directory, { recursive: true })).sort();
}

const stepEvents = (events: readonly PlanRunEvent[], type: 'step-started' | 'step-finished') =>
  events.filter((event): event is Extract<PlanRunEvent, { type: typeof type }> => event.type === type && RESEARCH_IDS.includes(event.stepId));

describe('runAdoptionReport', () => {
  let parent: string;
  let outputDir: string;
  beforeEach(async () => {
    parent = await realpath(await mkdtemp(path.join(os.tmpdir(), 'adoption-run-')));
    outputDir = path.join(parent, 'out');
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('researches in parallel, then writes report.md from the real search results, inside outputDir only', async () => {
    const models = createScriptedAdoptionModels();
    const { events, onEvent } = recordEvents();
    const corpusBefore = await tree(DEFAULT_CORPUS_DIR);

    const { result, reportPath } = await runAdoptionReport({ models, outputDir, onEvent });

    expect(result.status).toBe('completed');
    expect(result.task).toBe(REPORT_TASK);
    expect(result.plan.map((step) => [step.id, step.status])).toEqual([...RESEARCH_IDS, 'write'].map((id) => [id, 'done']));
    expect(result.finalOutput).toBe(OFFLINE_SUMMARY);

    // Parallel: every research step started before any finished, and each called the model once before any got its tool result.
    expect(eventTrail(events)).toEqual([
      'run-started',
      'plan-created',
      ...RESEARCH_IDS.map((id) => `step-started:${id}`),
      ...eventTrail(stepEvents(events, 'step-finished')),
      'step-started:write',
      'step-finished:write',
      'synthesis-finished',
      'run-finished',
    ]);
    expect(eventTrail(stepEvents(events, 'step-finished')).sort()).toEqual(RESEARCH_IDS.map((id) => `step-finished:${id}`).sort());
    const lastStart = Math.max(...stepEvents(events, 'step-started').map((event) => Date.parse(event.timestamp)));
    const firstFinish = Math.min(...stepEvents(events, 'step-finished').map((event) => Date.parse(event.timestamp)));
    expect(lastStart).toBeLessThanOrEqual(firstFinish);
    const firstCalls = models.executor.calls.slice(0, RESEARCH_IDS.length);
    expect(firstCalls.map((prompt) => endingToolResult(prompt))).toEqual(RESEARCH_IDS.map(() => undefined));
    expect(firstCalls.map((prompt) => /Your step \(([\w-]+)\)/.exec(userText(prompt))?.[1]).sort()).toEqual([...RESEARCH_IDS].sort());

    // Exact model calls: one plan, two per step (tool call, then outcome), one summary.
    expect([models.planner.calls.length, models.executor.calls.length, models.synthesizer.calls.length]).toEqual([1, 14, 1]);
    expect([models.planner.remaining, models.executor.remaining, models.synthesizer.remaining]).toEqual([0, 0, 0]);
    expect(result.usage.byRole).toEqual({
      planner: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
      executor: { inputTokens: 140, outputTokens: 280, totalTokens: 420 },
      synthesizer: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
    });

    // The report: written where asked, with the exact headings.
    expect(reportPath).toBe(path.join(outputDir, 'report.md'));
    const report = await readFile(reportPath, 'utf8');
    expect(report.match(/^#{1,2} .+$/gm)).toEqual(EXPECTED_HEADINGS);

    // Every finding is a hit the search really returned during the run, under its topic's heading.
    const searchResults = models.executor.calls.map(endingToolResult).filter((result) => result?.toolName === 'search');
    expect(searchResults).toHaveLength(RESEARCH_IDS.length);
    const returnedHits = searchResults.flatMap((result) => (result!.value as { results: SearchHit[] }).results);
    const search = await createCorpusSearchTool();
    for (const topic of RESEARCH_TOPICS) {
      const { results } = (await search.execute!({ query: topic.query }, {} as never)) as { results: SearchHit[] };
      expect(section(report, topic.heading)).toEqual(results.map((hit) => `- ${hit.snippet} [${hit.source}, ${hit.year}]`));
    }
    const returnedSources = [...new Set(returnedHits.map((hit) => `${hit.source} (${hit.year})`))];
    expect(
      section(report, 'Sources')
        .map((line) => line.slice(2))
        .sort(),
    ).toEqual(returnedSources.sort());
    expect(
      section(report, 'Sources')
        .map((line) => line.slice(2))
        .sort(),
    ).toEqual(EXPECTED_SOURCES);

    // The write step saved exactly this file through writeFile, and nothing else was written anywhere.
    const writeResult = endingToolResult(models.executor.calls.at(-1));
    expect(writeResult).toEqual({ toolName: 'writeFile', value: { ok: true, path: 'report.md', bytes: Buffer.byteLength(report), created: true } });
    expect(result.plan.at(-1)?.output).toBe(`Saved report.md (${Buffer.byteLength(report)} bytes)`);
    expect(await tree(parent)).toEqual(['out', path.join('out', 'report.md')]);
    expect(await tree(DEFAULT_CORPUS_DIR)).toEqual(corpusBefore);
  });

  it('runs offline on the built-in scripted models when no models are given, with the same report', async () => {
    const first = await runAdoptionReport({ outputDir });
    const second = await runAdoptionReport({ models: createScriptedAdoptionModels(), outputDir: path.join(parent, 'again') });

    expect([first.result.status, second.result.status]).toEqual(['completed', 'completed']);
    expect(await readFile(first.reportPath, 'utf8')).toBe(await readFile(second.reportPath, 'utf8'));
  });

  it('resolves a relative outputDir against the working directory', async () => {
    const relative = path.relative(process.cwd(), outputDir);

    const { result, reportPath } = await runAdoptionReport({ outputDir: relative });

    expect(result.status).toBe('completed');
    expect(reportPath).toBe(path.join(outputDir, 'report.md'));
  });

  it('keeps writeFile inside outputDir: a path climbing out is refused and nothing is written', async () => {
    const planner = createScriptedModel(
      [
        scriptPlan({
          goal: 'Save the report',
          rationale: null,
          steps: [{ id: 'write', description: 'Save the report as ../report.md', expectedOutput: 'saved', dependsOn: [], toolHint: 'writeFile' }],
        }),
        scriptReplan({ action: 'abort', steps: null, rationale: 'The file cannot be saved there' }),
      ],
      { name: 'planner' },
    );
    const executor = createScriptedModel(
      [
        toolCall('writeFile', { path: '../report.md', content: '# Escaped' }),
        ({ prompt }) => {
          const ending = endingToolResult(prompt);
          if (!ending) throw new Error('Expected the prompt to end with a tool result');
          const { error } = ending.value as { error: string };
          return scriptStepOutcome({ success: false, output: '', error });
        },
      ],
      { name: 'executor' },
    );

    const { result } = await runAdoptionReport({ models: { planner, executor }, outputDir });

    expect(result.status).toBe('aborted');
    expect(result.plan[0]?.error).toBe('Path "../report.md" is outside the workspace: it climbs out with ".."');
    expect(await tree(parent)).toEqual(['out']);
    expect([planner.remaining, executor.remaining]).toEqual([0, 0]);
  });

  it('resolves cancelled without writing the report when the signal has already fired', async () => {
    const models = createScriptedAdoptionModels();

    const { result, reportPath } = await runAdoptionReport({ models, outputDir, abortSignal: AbortSignal.abort() });

    expect(result.status).toBe('cancelled');
    expect(models.planner.calls).toHaveLength(0);
    await expect(readFile(reportPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ['an empty outputDir', { outputDir: '' }, 'Expected `outputDir` to be a non-empty path, got ""'],
    [
      'models without a planner or executor',
      { outputDir: 'x', models: { planner: undefined } },
      'Expected `models` to hold a `planner` and an `executor` model',
    ],
  ])('rejects %s with InvalidOptionsError before writing anything', async (_label, options, message) => {
    const failure = runAdoptionReport({ ...options, outputDir: options.outputDir && path.join(parent, options.outputDir) } as never);

    await expect(failure).rejects.toThrow(InvalidOptionsError);
    await expect(failure).rejects.toThrow(message);
    expect(await tree(parent)).toEqual([]);
  });
});
