import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { expectInteger } from '../../engine/option-checks.ts';
import { DEFAULT_CORPUS_DIR, loadCorpus } from './corpus.ts';
import { createCorpusIndex } from './search-index.ts';

/** Hits the search tool returns when the model does not ask for a number. */
export const DEFAULT_SEARCH_LIMIT = 3;
/** The most hits one search may return. */
export const MAX_SEARCH_LIMIT = 10;

/** One hit as the model receives it. */
export const SearchHitSchema = z.object({
  id: z.string().describe('Document id'),
  title: z.string().describe('Document title'),
  source: z.string().describe('Source label: cite it as [source, year]'),
  year: z.number().int().describe('Publication year'),
  snippet: z.string().describe('The sentence of the document that matches the query best'),
  score: z.number().describe('Relevance; higher is better'),
});

/** What the search tool returns: the hits, best first (none when nothing matches). */
export const SearchResultSchema = z.object({
  ok: z.literal(true).describe('true: the search ran'),
  results: z.array(SearchHitSchema).describe('Matching documents, best first; empty when nothing matches'),
});

/** Options of {@link createCorpusSearchTool}. */
export interface CorpusSearchToolOptions {
  /** Folder of `.md` (front matter: title, source, year) and `.json` documents. @default the example's own corpus */
  readonly corpusDir?: string;
  /** Hits returned when the call gives no `limit`. @default 3 */
  readonly defaultLimit?: number;
}

/**
 * The `search` tool: full-text search (MiniSearch: title and text, fuzzy and prefix matching) over
 * a folder of documents, returning the top hits `{ id, title, source, year, snippet, score }`.
 * The index is built once per call of this factory. A blank query, or one that matches nothing,
 * gives `{ ok: true, results: [] }`. Rejects with CorpusError when the corpus cannot be loaded,
 * InvalidOptionsError for a bad `defaultLimit`.
 *
 * @example
 * const search = await createCorpusSearchTool();
 * const agent = new PlanAndExecute({ planner, executor, tools: { search } });
 */
export async function createCorpusSearchTool({ corpusDir = DEFAULT_CORPUS_DIR, defaultLimit = DEFAULT_SEARCH_LIMIT }: CorpusSearchToolOptions = {}) {
  expectInteger('defaultLimit', defaultLimit, { min: 1, max: MAX_SEARCH_LIMIT });
  const index = createCorpusIndex(await loadCorpus(corpusDir));
  return createTool({
    id: 'search',
    description:
      `Full-text search over ${index.size} research documents on enterprise LLM adoption (surveys, barriers, governance, costs, ` +
      `case notes per industry). Give a few keywords; typos and word beginnings still match. Returns the best documents with ` +
      `title, source label, year and the best-matching sentence. Cite what you use as [source, year].`,
    inputSchema: z.object({
      query: z.string().describe('A few keywords, e.g. "governance policy risk"'),
      limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe(`How many documents to return (default ${defaultLimit})`),
    }),
    outputSchema: SearchResultSchema,
    execute: async ({ query, limit }) => ({ ok: true as const, results: index.search(query, limit ?? defaultLimit) }),
  });
}
