import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { normaliseAnswer, readAnswer, type AnswerKind } from '../../src/agents/tolerant-reader.ts';
import { ModelPlanSchema, ModelReplanDecisionSchema, StepOutcomeSchema } from '../../src/engine/plan-schema.ts';

const SCHEMAS: Record<AnswerKind, z.ZodType> = {
  plan: ModelPlanSchema,
  replan: ModelReplanDecisionSchema,
  'step-outcome': StepOutcomeSchema,
};

const WRITE = {
  id: 's1',
  description: 'Write notes.txt',
  expectedOutput: 'notes.txt exists',
  dependsOn: [],
  toolHint: 'writeFile',
  tool: null,
  toolArgs: null,
};
const READ = { id: 's2', description: 'Read notes.txt back', expectedOutput: 'Its content', dependsOn: ['s1'], toolHint: null, tool: null, toolArgs: null };
const PLAN = { goal: 'Write a file and read it back', steps: [WRITE, READ], rationale: 'Write before reading.' };
const OUTCOME = { success: true, output: 'hello', error: null };

/** The plan's JSON text with `edit` applied to a copy of the plan. */
function planText(edit: (plan: Record<string, unknown>, steps: Array<Record<string, unknown>>) => void): string {
  const plan: Record<string, unknown> = structuredClone(PLAN);
  edit(plan, plan.steps as Array<Record<string, unknown>>);
  return JSON.stringify(plan);
}

const withoutKey = (value: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));

describe('readAnswer', () => {
  it.each([
    ['a trailing comma', 'plan', `${JSON.stringify(PLAN).slice(0, -1)},}`, PLAN, ['json-repaired']],
    [
      'numeric ids',
      'plan',
      planText((_plan, steps) => Object.assign(steps[0]!, { id: 1 }) && Object.assign(steps[1]!, { id: 2, dependsOn: [1] })),
      {
        ...PLAN,
        steps: [
          { ...WRITE, id: '1' },
          { ...READ, id: '2', dependsOn: ['1'] },
        ],
      },
      ['numeric-id'],
    ],
    [
      'depends_on, tool_hint and expected_output in snake_case',
      'plan',
      JSON.stringify({
        ...PLAN,
        steps: [{ id: 's1', description: WRITE.description, expected_output: WRITE.expectedOutput, depends_on: [], tool_hint: 'writeFile' }, READ],
      }),
      PLAN,
      ['snake-case-key'],
    ],
    ['an omitted rationale', 'plan', JSON.stringify(withoutKey(PLAN, 'rationale')), { ...PLAN, rationale: null }, ['missing-nullable']],
    ['an omitted toolHint', 'plan', JSON.stringify({ ...PLAN, steps: [WRITE, withoutKey(READ, 'toolHint')] }), PLAN, ['missing-nullable']],
    ['an omitted error', 'step-outcome', JSON.stringify(withoutKey(OUTCOME, 'error')), OUTCOME, ['missing-nullable']],
    ['toolHint "none"', 'plan', planText((_plan, steps) => Object.assign(steps[1]!, { toolHint: 'none' })), PLAN, ['tool-hint-none']],
    ['dependsOn as a string', 'plan', planText((_plan, steps) => Object.assign(steps[1]!, { dependsOn: 's1' })), PLAN, ['depends-on-string']],
    ['a bare array of steps', 'plan', JSON.stringify([WRITE, READ]), { goal: '', steps: [WRITE, READ], rationale: null }, ['bare-array']],
    ['a {"plan": …} wrapper', 'plan', JSON.stringify({ plan: PLAN }), PLAN, ['wrapper-object']],
    ['success "true"', 'step-outcome', JSON.stringify({ ...OUTCOME, success: 'true' }), OUTCOME, ['boolean-string']],
    ['output as a number', 'step-outcome', JSON.stringify({ ...OUTCOME, output: 42 }), { ...OUTCOME, output: '42' }, ['output-not-string']],
    ['a <think> prefix', 'plan', `<think>The file comes first, {so} s1.</think>\n${JSON.stringify(PLAN)}`, PLAN, ['think-block']],
    ['JSON in prose', 'step-outcome', `Here is the outcome:\n${JSON.stringify(OUTCOME)}\nLet me know!`, OUTCOME, ['extracted-json']],
  ] as const)('reads %s in one go', (_defect, kind, text, expected, repairs) => {
    const read = readAnswer(kind, text);

    expect(read).toEqual({ value: expected, repairs });
    expect(SCHEMAS[kind].safeParse(read?.value).success).toBe(true);
  });

  it.each([
    ['toolHint "N/A"', { toolHint: ' N/A ' }, { toolHint: null }, ['tool-hint-none']],
    ['toolHint ""', { toolHint: '' }, { toolHint: null }, ['tool-hint-none']],
    ['toolHint "null"', { toolHint: 'null' }, { toolHint: null }, ['tool-hint-none']],
    ['dependsOn "s1, s2"', { dependsOn: 's1, s2' }, { dependsOn: ['s1', 's2'] }, ['depends-on-string']],
    ['dependsOn ""', { dependsOn: '' }, { dependsOn: [] }, ['depends-on-string']],
    ['dependsOn 1', { dependsOn: 1 }, { dependsOn: ['1'] }, ['numeric-id', 'depends-on-string']],
  ])('reads a step with %s', (_defect, field, fixed, repairs) => {
    const text = JSON.stringify({ ...PLAN, steps: [{ ...READ, ...field }] });

    expect(readAnswer('plan', text)).toEqual({ value: { ...PLAN, steps: [{ ...READ, ...fixed }] }, repairs });
  });

  it('reads several defects at once and names each kind of repair once, in REPAIR_NAMES order', () => {
    const text = `<thinking>plan it</thinking>Sure:\n\`\`\`json\n{"plan": [{"id": 1, "description": "Write notes.txt", "expected_output": "notes.txt exists", "depends_on": "", "tool_hint": "writeFile"}, {"id": 2, "description": "Read notes.txt back", "expected_output": "Its content", "depends_on": [1],},]}\n\`\`\``;

    expect(readAnswer('plan', text, { goal: 'Write a file and read it back' })).toEqual({
      value: {
        ...PLAN,
        steps: [
          { ...WRITE, id: '1' },
          { ...READ, id: '2', dependsOn: ['1'] },
        ],
        rationale: null,
      },
      repairs: [
        'think-block',
        'extracted-json',
        'json-repaired',
        'wrapper-object',
        'bare-array',
        'snake-case-key',
        'numeric-id',
        'depends-on-string',
        'missing-nullable',
      ],
    });
  });

  it('records nothing for a clean answer, bare or in a plain code fence', () => {
    expect(readAnswer('plan', JSON.stringify(PLAN))).toEqual({ value: PLAN, repairs: [] });
    expect(readAnswer('plan', `\n\`\`\`json\n${JSON.stringify(PLAN, null, 2)}\n\`\`\`\n`)).toEqual({ value: PLAN, repairs: [] });
    expect(readAnswer('step-outcome', `  ${JSON.stringify(OUTCOME)}  `)).toEqual({ value: OUTCOME, repairs: [] });
  });

  it('returns null for prose with no JSON, even with brackets jsonrepair would turn into JSON', () => {
    expect(readAnswer('plan', 'Sure! First I will write the file, then read it.')).toBeNull();
    expect(readAnswer('plan', 'I will follow {the usual steps}, see [the docs].')).toBeNull();
    expect(readAnswer('step-outcome', '<think>Is it done? {maybe}')).toBeNull();
  });

  it('repairs a truncated answer', () => {
    const text = JSON.stringify({ success: false, output: '', error: 'The file is missing' }).slice(0, -2);

    expect(readAnswer('step-outcome', text)).toEqual({ value: { success: false, output: '', error: 'The file is missing' }, repairs: ['json-repaired'] });
  });

  it('takes the answer after a lone closing tag, and the last value after an unclosed <think>', () => {
    const draft = JSON.stringify({ ...OUTCOME, output: 'draft' });

    expect(readAnswer('step-outcome', `The step worked.</think>\n${JSON.stringify(OUTCOME)}`)).toEqual({ value: OUTCOME, repairs: ['think-block'] });
    expect(readAnswer('step-outcome', `<think>Maybe ${draft}? No.\n\n${JSON.stringify(OUTCOME)}`)).toEqual({
      value: OUTCOME,
      repairs: ['think-block', 'extracted-json'],
    });
  });

  it('prefers the value shaped like the answer over other JSON in the prose', () => {
    const text = `The tool returned {"bytes": 5} and [1, 2]. Outcome: ${JSON.stringify(OUTCOME)}`;

    expect(readAnswer('step-outcome', text)).toEqual({ value: OUTCOME, repairs: ['extracted-json'] });
    expect(readAnswer('plan', 'The tool returned {"bytes": 5}.')).toEqual({
      value: { bytes: 5, rationale: null },
      repairs: ['extracted-json', 'missing-nullable'],
    });
  });

  it('leaves reasoning tags inside the answer alone', () => {
    const outcome = { ...OUTCOME, output: '<think>is a tag</think>' };

    expect(readAnswer('step-outcome', JSON.stringify(outcome))).toEqual({ value: outcome, repairs: [] });
  });
});

describe('normaliseAnswer', () => {
  it('fills steps: null for skip and abort but leaves a revise without steps, and a null one, to validation', () => {
    const skip = normaliseAnswer('replan', { action: 'skip', rationale: 'Optional step.' });
    const revise = normaliseAnswer('replan', { action: 'revise', rationale: 'Retry.' });
    const nullSteps = normaliseAnswer('replan', { action: 'revise', steps: null, rationale: 'Retry.' });

    expect(skip).toEqual({ value: { action: 'skip', steps: null, rationale: 'Optional step.' }, repairs: ['missing-nullable'] });
    expect(ModelReplanDecisionSchema.safeParse(skip.value).success).toBe(true);
    expect(revise).toEqual({ value: { action: 'revise', rationale: 'Retry.' }, repairs: [] });
    expect(ModelReplanDecisionSchema.safeParse(revise.value).success).toBe(false);
    expect(nullSteps).toEqual({ value: { action: 'revise', steps: null, rationale: 'Retry.' }, repairs: [] });
  });

  it('normalises the steps of a revise and unwraps a {"decision": …} wrapper', () => {
    const decision = { decision: { action: 'revise', steps: [{ ...withoutKey(READ, 'dependsOn'), id: 3, depends_on: 's1' }], rationale: 'Read again.' } };

    expect(normaliseAnswer('replan', decision)).toEqual({
      value: { action: 'revise', steps: [{ ...READ, id: '3' }], rationale: 'Read again.' },
      repairs: ['wrapper-object', 'snake-case-key', 'numeric-id', 'depends-on-string'],
    });
  });

  it('reads a step without tool and toolArgs as an executor step, with no repair (plans written before direct steps)', () => {
    const { tool, toolArgs, ...older } = WRITE;
    void [tool, toolArgs];

    expect(normaliseAnswer('plan', { ...PLAN, steps: [older] })).toEqual({ value: { ...PLAN, steps: [WRITE] }, repairs: [] });
  });

  it('turns toolArgs written as an object into the JSON text the schema asks for, and tool "none" into null', () => {
    const direct = { ...WRITE, tool: 'writeFile', toolArgs: { path: 'notes.txt', content: { $ref: 's0' } } };
    const noTool = { ...READ, tool: 'none' };

    const read = normaliseAnswer('plan', { ...PLAN, steps: [direct, noTool] });

    expect(read).toEqual({
      value: { ...PLAN, steps: [{ ...direct, toolArgs: '{"path":"notes.txt","content":{"$ref":"s0"}}' }, READ] },
      repairs: ['tool-hint-none', 'tool-args-object'],
    });
    expect(ModelPlanSchema.safeParse(read.value).success).toBe(true);
  });

  it('turns an object output into JSON text and "false" into false', () => {
    const read = normaliseAnswer('step-outcome', { success: 'False', output: { lines: 2 }, error: 'Short file' });

    expect(read).toEqual({ value: { success: false, output: '{"lines":2}', error: 'Short file' }, repairs: ['boolean-string', 'output-not-string'] });
  });

  it('leaves what it cannot repair for validation: missing required fields, unknown fields, other wrappers', () => {
    const missing = { steps: [{ id: 's1', description: 'Do it', extra: true }] };

    expect(normaliseAnswer('plan', missing)).toEqual({
      value: { steps: [{ id: 's1', description: 'Do it', extra: true, toolHint: null, tool: null, toolArgs: null }], rationale: null },
      repairs: ['missing-nullable'],
    });
    expect(normaliseAnswer('plan', { result: { bytes: 5 } })).toEqual({ value: { result: { bytes: 5 }, rationale: null }, repairs: ['missing-nullable'] });
    expect(normaliseAnswer('step-outcome', { success: 'yes', output: null, error: null })).toEqual({
      value: { success: 'yes', output: null, error: null },
      repairs: [],
    });
    expect(normaliseAnswer('plan', ['Write the file'])).toEqual({ value: ['Write the file'], repairs: [] });
  });

  it('keeps the camelCase field when both spellings are present, and does not change its input', () => {
    const input = { ...PLAN, steps: [{ ...READ, depends_on: ['x'], toolHint: 'none' }] };
    const before = structuredClone(input);

    expect(normaliseAnswer('plan', input)).toEqual({ value: { ...PLAN, steps: [{ ...READ, depends_on: ['x'] }] }, repairs: ['tool-hint-none'] });
    expect(input).toEqual(before);
  });
});
