import type { RunRecord } from '../../src/engine/run-store.ts';

const zero = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** A stored run with no plan yet, for store tests. */
export function emptyRecord(runId: string, status: RunRecord['status'], task = `task ${runId}`): RunRecord {
  return {
    version: 1,
    runId,
    task,
    status,
    startedAt: '2026-11-24T00:00:00.000Z',
    snapshot: null,
    stepResults: [],
    usage: { ...zero, byRole: { planner: zero, executor: zero, synthesizer: zero } },
    replansUsed: 0,
    pendingFailures: [],
    result: null,
  };
}
