import MiniSearch from 'minisearch';
import type { CorpusDocument } from './corpus.ts';

/** One search hit: the document's metadata, its best-matching sentence and the relevance score. */
export interface SearchHit {
  /** The document id (its file name without extension). */
  readonly id: string;
  /** The document title. */
  readonly title: string;
  /** The source label to cite. */
  readonly source: string;
  /** The publication year. */
  readonly year: number;
  /** The sentence of the text that matches the query best, cut to SNIPPET_LENGTH characters. */
  readonly snippet: string;
  /** BM25 relevance (higher is better), rounded to three decimals. */
  readonly score: number;
}

/** The longest snippet, in characters. */
export const SNIPPET_LENGTH = 240;

// Words that carry no topic: dropped from documents and queries alike so that a query such as
// "the barriers to adoption" ranks by "barriers" and "adoption" only.
const STOP_WORDS = new Set('a an and are as at be by for from has have in is it its of on or than that the their this to was were what which with'.split(' '));

/** Lower-cased term, or null for a stop word. */
function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

// Title matches count double; fuzzy 0.2 allows one typo in a 5–9 letter word.
const SEARCH_OPTIONS = { boost: { title: 2 }, fuzzy: 0.2, prefix: true, combineWith: 'OR' } as const;

/** A full-text index over a corpus: title and text, fuzzy and prefix matching. */
export interface CorpusIndex {
  /** The `limit` best hits for `query`, best first; none for a blank query or one made only of stop words. */
  search(query: string, limit: number): SearchHit[];
  /** How many documents are indexed. */
  readonly size: number;
}

/** Builds a MiniSearch index of `documents` (fields `title` and `text`). */
export function createCorpusIndex(documents: readonly CorpusDocument[]): CorpusIndex {
  const byId = new Map(documents.map((document) => [document.id, document]));
  const index = new MiniSearch<CorpusDocument>({ fields: ['title', 'text'], processTerm, searchOptions: SEARCH_OPTIONS });
  index.addAll(documents);
  return {
    size: index.documentCount,
    search(query, limit) {
      if (query.trim() === '') return [];
      return index
        .search(query)
        .slice(0, limit)
        .flatMap((result) => {
          const document = byId.get(String(result.id));
          if (!document) return [];
          const { id, title, source, year } = document;
          return [{ id, title, source, year, snippet: bestSentence(document.text, result.terms), score: Math.round(result.score * 1000) / 1000 }];
        });
    },
  };
}

/** The sentence of `text` holding the most of `terms` (the earliest on a tie), cut to SNIPPET_LENGTH. */
function bestSentence(text: string, terms: readonly string[]): string {
  // Markdown bodies are hard-wrapped: only sentence punctuation ends a sentence, not a line break.
  const sentences = text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?]) /)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
  let best = sentences[0] ?? '';
  let bestCount = -1;
  for (const sentence of sentences) {
    const words = new Set(sentence.toLowerCase().split(/[^\p{L}\p{N}]+/u));
    const count = terms.filter((term) => words.has(term)).length;
    if (count > bestCount) [best, bestCount] = [sentence, count];
  }
  return best.length > SNIPPET_LENGTH ? `${best.slice(0, SNIPPET_LENGTH - 1)}…` : best;
}
