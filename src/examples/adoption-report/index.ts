/**
 * The enterprise LLM-adoption report example: Plan & Execute with a full-text `search` tool over
 * a small bundled corpus and a `writeFile` tool confined to an output folder.
 * @module
 */
export { runAdoptionReport, REPORT_CONCURRENCY } from './run-adoption-report.ts';
export type { AdoptionReport, AdoptionReportModels, AdoptionReportOptions } from './run-adoption-report.ts';
export { createCorpusSearchTool, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, SearchHitSchema, SearchResultSchema } from './search-tool.ts';
export type { CorpusSearchToolOptions } from './search-tool.ts';
export { CorpusError, DEFAULT_CORPUS_DIR, loadCorpus } from './corpus.ts';
export type { CorpusDocument } from './corpus.ts';
export type { SearchHit } from './search-index.ts';
export { createScriptedAdoptionModels, OFFLINE_REPORT_NOTE, OFFLINE_SUMMARY } from './scripted-roles.ts';
export type { ScriptedAdoptionModels } from './scripted-roles.ts';
export { offlineReportPlan, REPORT_FILE, REPORT_TASK, RESEARCH_TOPICS } from './report-plan.ts';
export type { ResearchTopic } from './report-plan.ts';
