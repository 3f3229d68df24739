import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { applyEvent, INITIAL_CHECKLIST, isBusy, type ChecklistState } from '../../src/cli/output/checklist.ts';
import { LiveChecklist } from '../../src/cli/output/live-checklist.ts';
import { renderChecklist } from '../../src/cli/output/render-checklist.ts';
import { ModelRequestRejectedError, ModelUnavailableError } from '../../src/engine/errors.ts';
import type { PlanRunEvent, PlanRunEventInput } from '../../src/engine/events.ts';
import type { PlanRunResult, StepResult } from '../../src/engine/result.ts';
import { plan, step } from '../helpers/plans.ts';

const stamp = (event: PlanRunEventInput): PlanRunEvent => ({ runId: 'run-1', timestamp: '2025-01-01T00:00:00.000Z', ...event }) as PlanRunEvent;
const attempt = (stepId: string, status: 'done' | 'failed', text: string): StepResult => ({
  stepId,
  attempt: 1,
  status,
  output: status === 'done' ? text : null,
  error: status === 'failed' ? text : null,
  retryable: false,
  toolCalls: 0,
  usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 1,
});
const finished = (status: PlanRunResult['status'], message: string | Error | null): PlanRunEventInput =>
  ({
    type: 'run-finished',
    status,
    result: {} as PlanRunResult,
    error: typeof message === 'string' ? new Error(message) : message,
  }) as unknown as PlanRunEventInput;
const NO_TOOL_CALL: PlanRunEventInput = {
  type: 'step-warning',
  stepId: 'smoke',
  warning: 'no-tool-call',
  message: 'The plan named runCommand for this step, but the executor made no tool call',
};
const MODEL_CALLED: PlanRunEventInput = {
  type: 'model-called',
  role: 'executor',
  stepId: 'smoke',
  mode: 'prompt',
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  durationMs: 12,
  error: null,
  repairs: [],
};

const replay = (events: PlanRunEventInput[]): ChecklistState => events.map(stamp).reduce(applyEvent, INITIAL_CHECKLIST);
const render = (state: ChecklistState, width = 80) => renderChecklist(state, { colors: picocolors.createColors(false), frame: 0, width });

const RELEASE = plan([step('build'), step('smoke', ['build']), step('deploy', ['smoke'])], { goal: 'Release 1.4.3' });
const REVISED = [step('build'), step('fix', ['build']), step('smoke', ['fix']), step('deploy', ['smoke'])];
const START: PlanRunEventInput[] = [
  { type: 'run-started', task: 'Release 1.4.3 to staging' },
  { type: 'plan-created', plan: RELEASE, attempt: 1 },
  { type: 'step-started', stepId: 'build', attempt: 1, description: 'Do build' },
  { type: 'step-finished', stepId: 'build', result: attempt('build', 'done', 'built sha 3f9c2e1') },
  { type: 'step-started', stepId: 'smoke', attempt: 1, description: 'Do smoke' },
];

describe('the live checklist', () => {
  it('shows the plan pending while the planner has answered and the first step runs', () => {
    const state = replay(START.slice(0, 3));
    expect(render(state)).toBe(`Release 1.4.3 to staging
goal: Release 1.4.3
  ⠋ build   Do build
  ○ smoke   Do smoke
  ○ deploy  Do deploy
⠋ 0 of 3 steps done`);
    expect(isBusy(state)).toBe(true);
  });

  it('marks done and failed steps with their output or error', () => {
    const state = replay([...START, { type: 'step-failed', stepId: 'smoke', result: attempt('smoke', 'failed', 'missing_migration') }]);
    expect(render(state)).toBe(`Release 1.4.3 to staging
goal: Release 1.4.3
  ✔ build   Do build — built sha 3f9c2e1
  ✖ smoke   Do smoke — missing_migration
  ○ deploy  Do deploy
⠋ 1 of 3 steps done`);
  });

  it('moves the steps a replan replaced under the revision, and shows the new steps pending', () => {
    const state = replay([
      ...START,
      { type: 'step-failed', stepId: 'smoke', result: attempt('smoke', 'failed', 'missing_migration') },
      {
        type: 'plan-revised',
        revision: {
          revision: 1,
          kind: 'revise',
          reason: 'Apply the fix, then smoke again',
          failedStepId: 'smoke',
          stepsBefore: RELEASE.steps,
          stepsAfter: REVISED,
        },
      },
    ]);
    expect(render(state)).toBe(`Release 1.4.3 to staging
goal: Release 1.4.3
  ✔ build   Do build — built sha 3f9c2e1
  ○ fix     Do fix
  ○ smoke   Do smoke
  ○ deploy  Do deploy
  replaced by revision 1: Apply the fix, then smoke again
    ✖ smoke   Do smoke — missing_migration
    ⊘ deploy  Do deploy — replaced
⠋ 1 of 4 steps done`);
  });

  it('shows a retry, then the next attempt', () => {
    const retrying = replay([...START, { type: 'step-retried', stepId: 'smoke', attempt: 2, error: 'model timed out' }]);
    expect(render(retrying).split('\n')[3]).toBe('  ↻ smoke   Do smoke — retrying (attempt 2): model timed out');
    const rerun = applyEvent(retrying, stamp({ type: 'step-started', stepId: 'smoke', attempt: 2, description: 'Do smoke' }));
    expect(render(rerun).split('\n')[3]).toBe('  ⠋ smoke   Do smoke — attempt 2');
  });

  it('marks a skipped step with the reason', () => {
    const state = replay([...START, { type: 'step-skipped', stepId: 'smoke', reason: 'flaky suite, deploy anyway' }]);
    expect(render(state).split('\n')[3]).toBe('  ↷ smoke   Do smoke — flaky suite, deploy anyway');
  });

  it('ends with the status, and marks the steps a cancellation interrupted', () => {
    const state = replay([...START, finished('cancelled', 'The run was cancelled')]);
    expect(render(state)).toBe(`Release 1.4.3 to staging
goal: Release 1.4.3
  ✔ build   Do build — built sha 3f9c2e1
  ■ smoke   Do smoke — interrupted
  ○ deploy  Do deploy
■ cancelled: The run was cancelled`);
    expect(isBusy(state)).toBe(false);
  });

  it('says when every step is done and the results are being merged, then that the run completed', () => {
    const allDone = replay([
      ...START,
      { type: 'step-finished', stepId: 'smoke', result: attempt('smoke', 'done', 'passed') },
      { type: 'step-started', stepId: 'deploy', attempt: 1, description: 'Do deploy' },
      { type: 'step-finished', stepId: 'deploy', result: attempt('deploy', 'done', 'deployed') },
    ]);
    expect(render(allDone).split('\n').at(-1)).toBe('⠋ merging the results…');
    const completed = applyEvent(allDone, stamp(finished('completed', null)));
    expect(render(completed).split('\n').at(-1)).toBe('✔ completed');
  });

  it('shows the edited plan after an edit at approval, and a rejection', () => {
    const edited = plan([step('only')], { goal: 'Edited goal' });
    const state = replay([START[0]!, START[1]!, { type: 'plan-approved', plan: edited, edited: true }]);
    expect(render(state)).toBe(`Release 1.4.3 to staging
goal: Edited goal
  ○ only  Do only
  plan edited at approval
⠋ 0 of 1 steps done`);
    const rejected = replay([START[0]!, START[1]!, { type: 'plan-rejected', plan: RELEASE }, finished('rejected', 'The plan was rejected before execution')]);
    expect(render(rejected).split('\n').at(-1)).toBe('■ rejected: The plan was rejected before execution');
  });

  it('fits every line to the terminal width', () => {
    const state = replay([
      { type: 'run-started', task: 'x'.repeat(200) },
      { type: 'plan-created', plan: plan([step('a', [], { description: 'y'.repeat(200) })]), attempt: 1 },
    ]);
    const lines = render(state, 40).split('\n');
    expect(lines.map((line) => line.length <= 39)).toEqual(lines.map(() => true));
    expect(lines[2]).toBe(`  ○ a  ${'y'.repeat(31)}…`);
  });

  it('adds a row for a step it did not know (a resumed run)', () => {
    const state = replay([
      { type: 'run-resumed', task: 'Release', doneStepIds: ['build'] },
      { type: 'step-started', stepId: 'smoke', attempt: 1, description: 'Do smoke' },
    ]);
    expect(render(state)).toBe(`Release
  ⠋ smoke  Do smoke
⠋ 0 of 1 steps done`);
    expect(render(replay([{ type: 'run-resumed', task: 'Release', doneStepIds: ['build'] }])).split('\n')[1]).toBe('  resumed with 1 step already done');
  });

  it('flags a step with a warning (⚠, in yellow) in place of its output, until its next attempt', () => {
    const warned = replay([...START, NO_TOOL_CALL, { type: 'step-finished', stepId: 'smoke', result: attempt('smoke', 'done', 'the suite passed') }]);
    expect(render(warned, 120).split('\n')[3]).toBe('  ✔ smoke   Do smoke — ⚠ The plan named runCommand for this step, but the executor made no tool call');
    const colored = renderChecklist(warned, { colors: picocolors.createColors(true), frame: 0, width: 200 }).split('\n')[3];
    expect(colored).toContain('\u001B[33m — ⚠ The plan named runCommand for this step, but the executor made no tool call\u001B[39m');
    const rerun = applyEvent(replay([...START, NO_TOOL_CALL]), stamp({ type: 'step-started', stepId: 'smoke', attempt: 2, description: 'Do smoke' }));
    expect(render(rerun).split('\n')[3]).toBe('  ⠋ smoke   Do smoke — attempt 2');
  });

  it('leaves the rows as they are on a model call', () => {
    const state = replay(START);
    expect(applyEvent(state, stamp(MODEL_CALLED))).toBe(state);
  });

  it.each([
    ['unreachable', new ModelUnavailableError('planner', 'http://127.0.0.1:9/v1', 'connect ECONNREFUSED 127.0.0.1:9'), '✖ failed: MODEL_UNAVAILABLE'],
    ['refused a request', new ModelRequestRejectedError('executor', 401, 'Incorrect API key provided'), '✖ failed: MODEL_REQUEST_REJECTED'],
  ])('names only the code when the model server was %s (the command prints the error on its own line)', (_what, error, footer) => {
    expect(
      render(replay([...START, finished('failed', error)]))
        .split('\n')
        .at(-1),
    ).toBe(footer);
  });
});

describe('LiveChecklist.print', () => {
  it('prints a line above the checklist and draws the checklist again below it', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let written = '';
    stream.on('data', (chunk) => (written += chunk));
    const checklist = new LiveChecklist(stream, picocolors.createColors(false));
    checklist.onEvent(stamp(START[0]!));
    checklist.print('  model call: planner, mode native, 15 tokens (10 in, 5 out) in 12 ms');
    checklist.close();
    const text = stripVTControlCharacters(written);
    expect(text.endsWith('  model call: planner, mode native, 15 tokens (10 in, 5 out) in 12 ms\nRelease 1.4.3 to staging\n⠋ planning…\n')).toBe(true);
  });
});
