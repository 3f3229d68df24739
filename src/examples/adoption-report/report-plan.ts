import type { Plan, PlanStep } from '../../engine/plan-schema.ts';

/** The task the example gives the agent. */
export const REPORT_TASK =
  'Write an enterprise LLM-adoption report: current adoption, main use cases, barriers, governance and cost, recommendations; cite the sources; save it as report.md';

/** Where the report goes, relative to the output folder. */
export const REPORT_FILE = 'report.md';

/** One research step of the offline plan: what it searches for and the report section it feeds. */
export interface ResearchTopic {
  /** The step id. */
  readonly id: string;
  /** The report heading its findings go under. */
  readonly heading: string;
  /** What the step searches the corpus for. */
  readonly query: string;
}

/** The offline plan's research steps, in report order; the last one feeds the recommendations. */
export const RESEARCH_TOPICS: readonly ResearchTopic[] = [
  { id: 'adoption', heading: 'Current adoption', query: 'adoption survey production' },
  { id: 'use-cases', heading: 'Main use cases', query: 'use cases customer support code documents' },
  { id: 'barriers', heading: 'Barriers', query: 'barriers privacy accuracy skills' },
  { id: 'governance', heading: 'Governance', query: 'governance policy council risk' },
  { id: 'cost', heading: 'Cost', query: 'cost spend budget model' },
  { id: 'practices', heading: 'Recommendations', query: 'recommend' },
];

/** The id of the offline plan's last step, which writes the report. */
export const WRITE_STEP_ID = 'write';

/** The step description of a research topic; the offline executor reads the quoted query back from it. */
export function researchDescription(topic: ResearchTopic): string {
  return `Research "${topic.heading}": search the corpus for "${topic.query}" and list the findings, each with its source`;
}

const researchStep = (topic: ResearchTopic): PlanStep => ({
  id: topic.id,
  description: researchDescription(topic),
  expectedOutput: 'Bullet points, one finding each, ending with [source, year]',
  dependsOn: [],
  toolHint: 'search',
});

/**
 * The plan the offline planner answers with: independent research steps (they run in parallel),
 * then one step that writes the report from all their outputs.
 */
export function offlineReportPlan(): Plan {
  return {
    goal: `An enterprise LLM-adoption report with cited sources, saved as ${REPORT_FILE}`,
    rationale: 'Each section is researched independently, so the searches run in parallel; the report is written once every finding is in.',
    steps: [
      ...RESEARCH_TOPICS.map(researchStep),
      {
        id: WRITE_STEP_ID,
        description: `Write the report in Markdown, one section per research step plus the list of sources, and save it as ${REPORT_FILE}`,
        expectedOutput: `${REPORT_FILE} saved`,
        dependsOn: RESEARCH_TOPICS.map((topic) => topic.id),
        toolHint: 'writeFile',
      },
    ],
  };
}
