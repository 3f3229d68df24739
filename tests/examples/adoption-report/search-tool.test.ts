import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../../src/engine/errors.ts';
import { CorpusError, createCorpusSearchTool, loadCorpus, type SearchHit } from '../../../src/examples/adoption-report/index.ts';

type SearchTool = Awaited<ReturnType<typeof createCorpusSearchTool>>;

async function search(tool: SearchTool, query: string, limit?: number): Promise<SearchHit[]> {
  const output = (await tool.execute!({ query, ...(limit === undefined ? {} : { limit }) }, {} as never)) as { ok: true; results: SearchHit[] };
  expect(output.ok).toBe(true);
  return output.results;
}

const ids = (hits: readonly SearchHit[]) => hits.map((hit) => hit.id);

describe('loadCorpus', () => {
  it('loads every bundled document with a title, a source label and a year', async () => {
    const corpus = await loadCorpus();

    expect(corpus).toHaveLength(17);
    expect(new Set(corpus.map((document) => document.id)).size).toBe(17);
    expect(corpus.map((document) => document.year).every((year) => year >= 2023 && year <= 2025)).toBe(true);
    expect(corpus.find((document) => document.id === 'barriers-study')).toMatchObject({
      title: 'Top barriers to scaling LLMs',
      source: 'Halvard Consulting, Barrier Study',
      year: 2024,
    });
    expect(corpus.find((document) => document.id === 'case-banking')).toMatchObject({
      title: 'Case notes: retail banking',
      source: 'Larkspur Bank, case file',
      year: 2024,
    });
  });
});

describe('createCorpusSearchTool on the bundled corpus', () => {
  let tool: SearchTool;
  beforeAll(async () => {
    tool = await createCorpusSearchTool();
  });

  it('is the Mastra tool "search"', () => {
    expect(tool.id).toBe('search');
  });

  it.each([
    ['banking KYC', ['case-banking']],
    ['governance council risk', ['governance-frameworks', 'regulation-readiness']],
    ['barriers privacy accuracy skills', ['barriers-study', 'accuracy-evaluation', 'case-healthcare']],
    ['cost spend budget model', ['cost-benchmarks', 'case-retail', 'cost-build-vs-buy']],
    ['recommend', ['practices-scaling', 'accuracy-evaluation', 'governance-frameworks']],
  ])('ranks %j as %j', async (query, expected) => {
    expect(ids(await search(tool, query))).toEqual(expected);
  });

  it('returns the document metadata with the best-matching sentence as snippet, best first', async () => {
    const hits = await search(tool, 'barriers privacy accuracy skills');

    expect(hits[0]).toEqual({
      id: 'barriers-study',
      title: 'Top barriers to scaling LLMs',
      source: 'Halvard Consulting, Barrier Study',
      year: 2024,
      snippet: 'Data privacy and security concerns are the most cited barrier, named by 58% of leaders.',
      score: expect.any(Number),
    });
    const scores = hits.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.at(-1)).toBeGreaterThan(0);
  });

  it.each([
    ['goverance', 'governance-frameworks'],
    ['halucination', 'accuracy-evaluation'],
    ['regulat', 'regulation-readiness'],
  ])('finds %j (a typo or a word beginning) in %s', async (query, expectedTopId) => {
    expect((await search(tool, query))[0]?.id).toBe(expectedTopId);
  });

  it.each(['', '   ', 'the of and', 'zzqxv'])('returns no results for %j', async (query) => {
    expect(await tool.execute!({ query }, {} as never)).toEqual({ ok: true, results: [] });
  });

  it('returns `limit` results when asked, 3 by default', async () => {
    expect(await search(tool, 'adoption', 1)).toHaveLength(1);
    expect(await search(tool, 'adoption')).toHaveLength(3);
    expect((await search(tool, 'adoption', 10)).length).toBeGreaterThan(3);
  });
});

describe('createCorpusSearchTool on another folder', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function corpusOf(files: Record<string, string>): Promise<string> {
    directory = await mkdtemp(path.join(os.tmpdir(), 'adoption-corpus-'));
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(directory, name), content);
    return directory;
  }

  it('indexes the Markdown and JSON documents of `corpusDir` and nothing else', async () => {
    const corpusDir = await corpusOf({
      'alpha.md': '---\ntitle: Alpha notes\nsource: Lab A\nyear: 2022\n---\nZebras graze at dawn. Lions sleep.',
      'beta.json': JSON.stringify({ title: 'Beta', source: 'Lab B', year: 2021, summary: 'About lions.', findings: ['Lions hunt at night.'] }),
      'notes.txt': 'lions lions lions',
    });
    const tool = await createCorpusSearchTool({ corpusDir });

    expect(await search(tool, 'zebras')).toEqual([
      { id: 'alpha', title: 'Alpha notes', source: 'Lab A', year: 2022, snippet: 'Zebras graze at dawn.', score: expect.any(Number) },
    ]);
    expect(ids(await search(tool, 'hunt'))).toEqual(['beta']);
  });

  it('rejects with CorpusError naming a document without front matter', async () => {
    const corpusDir = await corpusOf({ 'good.md': '---\ntitle: Good\nsource: S\nyear: 2024\n---\nText.', 'bad.md': 'No front matter here.' });

    const failure = createCorpusSearchTool({ corpusDir });

    await expect(failure).rejects.toThrow(CorpusError);
    await expect(failure).rejects.toThrow(`Corpus ${path.join(corpusDir, 'bad.md')}: expected a front matter block`);
  });

  it('rejects with CorpusError naming a JSON document without a year', async () => {
    const corpusDir = await corpusOf({ 'c.json': JSON.stringify({ title: 'C', source: 'S', summary: 'x', findings: ['y'] }) });

    await expect(createCorpusSearchTool({ corpusDir })).rejects.toThrow(/^Corpus .*c\.json: .*year/);
  });

  it('rejects with CorpusError for a folder without documents', async () => {
    const corpusDir = await corpusOf({ 'readme.txt': 'nothing to index' });

    await expect(createCorpusSearchTool({ corpusDir })).rejects.toThrow(`Corpus ${corpusDir}: no .md or .json documents in the folder`);
  });

  it('rejects with InvalidOptionsError for a default limit out of range', async () => {
    await expect(createCorpusSearchTool({ defaultLimit: 0 })).rejects.toThrow(InvalidOptionsError);
    await expect(createCorpusSearchTool({ defaultLimit: 0 })).rejects.toThrow('Expected `defaultLimit` to be an integer from 1 to 10, got 0 (number)');
  });
});
