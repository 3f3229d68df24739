import { createClient } from '@libsql/client';
import type { Plan } from '../../src/engine/plan-schema.ts';
import type { PlanRunResult } from '../../src/engine/result.ts';
import type { RecordedRequest } from '../helpers/openai-stub-server.ts';

/** The role a request to the model stub is for, from its system prompt ("You are the planner…"). */
export const systemRole = (request: RecordedRequest) => /^You are the (\w+)/.exec(String(request.body.messages?.[0]?.content))?.[1];

/** The parts of the release workflow's output the playground tests read. */
export interface ReleaseOutput {
  readonly status: string;
  readonly replanned: boolean;
  readonly results: ReadonlyArray<{ readonly stepId: string; readonly kind: string; readonly success: boolean }>;
  readonly decisions: ReadonlyArray<{ readonly action: string }>;
  readonly run: PlanRunResult;
}

export const NOTE_TASK = 'Write the 1.4.3 release note to notes.txt';
export const NOTE = '1.4.3 ships migration 0042 (invoices.status).';
export const FINAL_OUTPUT = 'The 1.4.3 release note is in notes.txt.';
export const NOTE_PLAN: Plan = {
  goal: 'Write the 1.4.3 release note',
  steps: [{ id: 'note', description: 'Write the release note to notes.txt', expectedOutput: 'notes.txt written', dependsOn: [], toolHint: 'writeFile' }],
  rationale: null,
};

/** Run ids of `workflowName` in the LibSQL file `databaseFile` a server was given as MASTRA_DB_URL. */
export async function storedRunIds(databaseFile: string, workflowName: string): Promise<string[]> {
  const database = createClient({ url: `file:${databaseFile}` });
  try {
    const { rows } = await database.execute({ sql: 'SELECT run_id FROM mastra_workflow_snapshot WHERE workflow_name = ?', args: [workflowName] });
    return rows.map((row) => String(row.run_id));
  } finally {
    database.close();
  }
}
