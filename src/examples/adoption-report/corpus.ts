import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The illustrative corpus that ships with the example. */
export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

const YEAR = z.number().int().min(1900).max(2100);

/** The fields every corpus document declares, in Markdown front matter or in JSON. */
const DocumentMetaSchema = z.object({
  title: z.string().trim().min(1),
  source: z.string().trim().min(1),
  year: YEAR,
});

/** A JSON corpus document: metadata, a one-line summary and its findings. */
const JsonDocumentSchema = DocumentMetaSchema.extend({
  summary: z.string().trim().min(1),
  findings: z.array(z.string().trim().min(1)).min(1),
});

/** One document of the corpus, as the search index holds it. */
export const CorpusDocumentSchema = DocumentMetaSchema.extend({
  /** The file name without its extension: unique within the corpus. */
  id: z.string().min(1),
  /** The body: Markdown text, or a JSON document's summary and findings joined. */
  text: z.string().min(1),
});

/** One document of the corpus. */
export type CorpusDocument = z.infer<typeof CorpusDocumentSchema>;

/** Thrown by `loadCorpus` when the folder holds no documents or a document is malformed. */
export class CorpusError extends Error {
  /** The file or folder concerned. */
  readonly path: string;

  constructor(filePath: string, reason: string, options?: { cause?: unknown }) {
    super(`Corpus ${filePath}: ${reason}`, options);
    this.name = 'CorpusError';
    this.path = filePath;
  }
}

const FRONT_MATTER = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/;

/** `key: value` lines of a front matter block; quoted values are unquoted, a numeric year becomes a number. */
function parseFrontMatter(block: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const line of block.split('\n')) {
    const match = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    const value = raw.replace(/^"(.*)"$/, '$1');
    fields[key] = key === 'year' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return fields;
}

function parseMarkdown(content: string): Record<string, unknown> {
  const match = FRONT_MATTER.exec(content.replaceAll('\r\n', '\n'));
  if (!match) throw new Error('expected a front matter block (--- title, source, year ---) before the text');
  const [, block = '', body = ''] = match;
  return { ...parseFrontMatter(block), text: body.trim() };
}

function parseJsonDocument(content: string): Record<string, unknown> {
  const document = JsonDocumentSchema.parse(JSON.parse(content));
  return { title: document.title, source: document.source, year: document.year, text: [document.summary, ...document.findings].join('\n') };
}

/** Parses one corpus file (`.md` with front matter, or `.json`); throws CorpusError naming it. */
export function parseCorpusFile(filePath: string, content: string): CorpusDocument {
  const extension = path.extname(filePath);
  try {
    const fields = extension === '.json' ? parseJsonDocument(content) : parseMarkdown(content);
    return CorpusDocumentSchema.parse({ ...fields, id: path.basename(filePath, extension) });
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error).replaceAll('\n', '; ') : error instanceof Error ? error.message : String(error);
    throw new CorpusError(filePath, reason, { cause: error });
  }
}

const isCorpusFile = (name: string) => name.endsWith('.md') || name.endsWith('.json');

/**
 * Every `.md` and `.json` document directly in `corpusDir`, sorted by id. Throws CorpusError when
 * the folder cannot be read, holds no documents, or a document is malformed.
 */
export async function loadCorpus(corpusDir: string = DEFAULT_CORPUS_DIR): Promise<CorpusDocument[]> {
  const names = await readdir(corpusDir).catch((error: unknown) => {
    throw new CorpusError(corpusDir, `cannot read the folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  });
  const files = names.filter(isCorpusFile).sort();
  if (files.length === 0) throw new CorpusError(corpusDir, 'no .md or .json documents in the folder');
  return Promise.all(
    files.map(async (name) => {
      const filePath = path.join(corpusDir, name);
      return parseCorpusFile(filePath, await readFile(filePath, 'utf8'));
    }),
  );
}
