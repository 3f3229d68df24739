import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { APPROVAL_QUESTION, checkEditedPlan, createPlanApprover, formatPlanForApproval } from '../../src/cli/approval/approve-plan.ts';
import { EditorError } from '../../src/cli/approval/editor.ts';
import type { Plan } from '../../src/engine/plan-schema.ts';

const HELLO = { id: 'hello', description: 'Say hello', expectedOutput: 'a greeting', dependsOn: [], toolHint: null };
const WAVE = { id: 'wave', description: 'Wave', expectedOutput: 'a wave', dependsOn: ['hello'], toolHint: null };
const PLAN: Plan = { goal: 'Greet twice', rationale: 'Hello first.', steps: [HELLO, WAVE] };
const ONLY_HELLO: Plan = { ...PLAN, steps: [HELLO] };
const VALIDATION = { toolNames: ['search'], maxPlanSteps: 5 };
const SHOWN = formatPlanForApproval(PLAN);

/** An approver on in-memory streams: `answers` are typed, `edits` are what the editor returns in turn. */
function approverWith(answers: string, edits: Array<string | Error> = []) {
  const input = new PassThrough();
  const output = new PassThrough();
  let transcript = '';
  output.on('data', (chunk) => (transcript += chunk));
  const drafts: string[] = [];
  const approver = createPlanApprover({
    input,
    output,
    validation: VALIDATION,
    editPlan: async (draft) => {
      drafts.push(draft);
      const edit = edits.shift();
      if (edit === undefined) throw new Error('No edit scripted');
      if (edit instanceof Error) throw edit;
      return edit;
    },
  });
  input.end(answers);
  return { approver, drafts, transcript: () => transcript };
}

const withoutWave = JSON.stringify(ONLY_HELLO);

describe('createPlanApprover', () => {
  it.each([
    ['y\n', true],
    ['yes\n', true],
    ['n\n', false],
    [' No \n', false],
  ])('answers %j with %j', async (answers, expected) => {
    const { approver, transcript } = approverWith(answers);
    await expect(approver.approvePlan(PLAN)).resolves.toBe(expected);
    expect(transcript()).toBe(`${SHOWN}\n${APPROVAL_QUESTION}${answers.slice(0, -1)}\n`);
  });

  it('asks again after an answer that is not y, n or e', async () => {
    const { approver, transcript } = approverWith('maybe\ny\n');
    await expect(approver.approvePlan(PLAN)).resolves.toBe(true);
    expect(transcript()).toBe(`${SHOWN}\n${APPROVAL_QUESTION}maybe\nPlease answer y, n or e.\n${APPROVAL_QUESTION}y\n`);
  });

  it('rejects the plan when the input ends', async () => {
    const { approver, transcript } = approverWith('');
    await expect(approver.approvePlan(PLAN)).resolves.toBe(false);
    expect(transcript()).toBe(`${SHOWN}\n${APPROVAL_QUESTION}\nNo answer (the input ended): the plan is rejected.\n`);
  });

  it('edits the plan as JSON, shows the edited plan, and returns it after y', async () => {
    const { approver, drafts, transcript } = approverWith('e\ny\n', [withoutWave]);
    await expect(approver.approvePlan(PLAN)).resolves.toEqual(ONLY_HELLO);
    expect(JSON.parse(drafts[0] ?? '')).toEqual(PLAN);
    expect(transcript()).toBe(`${SHOWN}\n${APPROVAL_QUESTION}e\n${formatPlanForApproval(ONLY_HELLO)}\n${APPROVAL_QUESTION}y\n`);
  });

  it('returns true, not a copy, when the edit changed nothing', async () => {
    const { approver } = approverWith('e\ny\n', [JSON.stringify(PLAN, null, 4)]);
    await expect(approver.approvePlan(PLAN)).resolves.toBe(true);
  });

  it('shows the issues of an invalid edit, keeps the plan, and reopens the edited text on the next e', async () => {
    const broken = JSON.stringify({ ...PLAN, steps: [{ ...WAVE, dependsOn: ['nowhere'], toolHint: 'shell' }] });
    const { approver, drafts, transcript } = approverWith('e\ne\ny\n', [broken, withoutWave]);
    await expect(approver.approvePlan(PLAN)).resolves.toEqual(ONLY_HELLO);
    expect(drafts[1]).toBe(broken);
    expect(transcript()).toContain(`${APPROVAL_QUESTION}e
The edited plan is invalid; the plan is unchanged:
  - Step "wave" names tool "shell", which does not exist; use one of "search", or null.
  - Step "wave" depends on "nowhere", which is not a step of the plan; use an existing step id.
${APPROVAL_QUESTION}e
`);
  });

  it('keeps the plan when the editor fails, and says why', async () => {
    const { approver, transcript } = approverWith('e\nn\n', [new EditorError('the editor "vim" exited with code 1')]);
    await expect(approver.approvePlan(PLAN)).resolves.toBe(false);
    expect(transcript()).toContain(`${APPROVAL_QUESTION}e\nthe editor "vim" exited with code 1; the plan is unchanged.\n${APPROVAL_QUESTION}n\n`);
  });

  it('rejects the plan when closed while waiting for an answer (Ctrl-C)', async () => {
    const input = new PassThrough();
    const approver = createPlanApprover({ input, output: new PassThrough(), validation: VALIDATION, editPlan: async (text) => text });
    const verdict = approver.approvePlan(PLAN);
    await new Promise((resolve) => setImmediate(resolve));
    approver.close();
    await expect(verdict).resolves.toBe(false);
  });

  it('hands the terminal over around the prompt', async () => {
    const calls: string[] = [];
    const input = new PassThrough();
    const approver = createPlanApprover({
      input,
      output: new PassThrough(),
      validation: VALIDATION,
      editPlan: async (text) => text,
      onPromptStart: () => calls.push('start'),
      onPromptEnd: () => calls.push('end'),
    });
    input.end('y\n');
    await approver.approvePlan(PLAN);
    expect(calls).toEqual(['start', 'end']);
  });
});

describe('checkEditedPlan', () => {
  it('reports text that is not JSON', () => {
    expect(checkEditedPlan('{ "goal": ', VALIDATION)).toEqual({
      ok: false,
      issues: ['The edited plan is not valid JSON: Unexpected end of JSON input'],
    });
  });

  it('accepts a valid plan', () => {
    expect(checkEditedPlan(JSON.stringify(PLAN), VALIDATION)).toEqual({ ok: true, plan: PLAN });
  });
});
