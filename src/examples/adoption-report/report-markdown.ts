import type { SearchHit } from './search-index.ts';

/** One finding of a research step: a sentence and where it comes from. */
export interface Finding {
  /** The finding itself (a snippet the search returned). */
  readonly text: string;
  /** The source label. */
  readonly source: string;
  /** The source's year. */
  readonly year: number;
}

/** One section of the report: a heading and its findings. */
export interface ReportSection {
  /** The `##` heading. */
  readonly heading: string;
  /** The findings, in order. */
  readonly findings: readonly Finding[];
}

/** The report's title line. */
export const REPORT_TITLE = 'Enterprise LLM adoption report';

/** The heading of the list of cited sources. */
export const SOURCES_HEADING = 'Sources';

/** The Markdown bullet of one finding: `- text [source, year]`. */
export function formatFinding({ text, source, year }: Finding): string {
  return `- ${text} [${source}, ${year}]`;
}

/** Search hits as a research step's output: one bullet per hit. */
export function formatHits(hits: readonly SearchHit[]): string {
  return hits.map((hit) => formatFinding({ text: hit.snippet, source: hit.source, year: hit.year })).join('\n');
}

const FINDING_LINE = /^- (.+) \[(.+), (\d{4})\]$/;

/** The findings in a step output written by `formatHits`; other lines are ignored. */
export function parseFindings(output: string): Finding[] {
  return output.split('\n').flatMap((line) => {
    const match = FINDING_LINE.exec(line.trim());
    if (!match) return [];
    const [, text = '', source = '', year = '0'] = match;
    return [{ text, source, year: Number(year) }];
  });
}

/** Each distinct `source (year)` of `sections`, in order of first citation. */
export function citedSources(sections: readonly ReportSection[]): string[] {
  const labels = sections.flatMap((section) => section.findings.map((finding) => `${finding.source} (${finding.year})`));
  return [...new Set(labels)];
}

/**
 * The report: title, a note on where it comes from, one `##` section per entry of `sections`
 * (findings as cited bullets), then `## Sources` listing every source cited.
 */
export function assembleReport(sections: readonly ReportSection[], note: string): string {
  const body = sections.map(({ heading, findings }) => {
    const bullets = findings.length ? findings.map(formatFinding).join('\n') : '- No findings.';
    return `## ${heading}\n\n${bullets}`;
  });
  const sources = citedSources(sections).map((label) => `- ${label}`);
  return `${[`# ${REPORT_TITLE}`, `_${note}_`, ...body, `## ${SOURCES_HEADING}\n\n${sources.join('\n')}`].join('\n\n')}\n`;
}
