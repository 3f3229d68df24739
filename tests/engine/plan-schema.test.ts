import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ModelPlanSchema,
  ModelPlanStepSchema,
  ModelReplanDecisionSchema,
  PlanSchema,
  PlanStepSchema,
  ReplanDecisionSchema,
  StepOutcomeSchema,
} from '../../src/engine/plan-schema.ts';
import { plan, step } from '../helpers/plans.ts';

const roundTrip = <T>(schema: z.ZodType<T>, value: T) => schema.parse(JSON.parse(JSON.stringify(value)));

const issuesOf = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to be rejected');
  return parsed.error.issues.map(({ path, message }) => ({ path, message }));
};

describe('plan schemas', () => {
  it.each([
    ['PlanStep', PlanStepSchema, step('b', ['a'], { toolHint: 'search' })],
    ['direct PlanStep', PlanStepSchema, step('b', ['a'], { tool: 'add', toolArgs: { a: 1, b: { $ref: 'a', path: 'items.0' } } })],
    ['Plan', PlanSchema, plan([step('a'), step('b', ['a'])], { rationale: 'Two steps suffice.' })],
    ['Plan with null rationale', PlanSchema, plan([step('a')])],
    ['StepOutcome (success)', StepOutcomeSchema, { success: true, output: 'done', error: null }],
    ['StepOutcome (failure)', StepOutcomeSchema, { success: false, output: '', error: 'no access' }],
    ['ReplanDecision revise', ReplanDecisionSchema, { action: 'revise', steps: [step('c', ['a'])], rationale: 'Use c instead.' }],
    ['ReplanDecision skip', ReplanDecisionSchema, { action: 'skip', steps: null, rationale: 'Not needed.' }],
    ['ReplanDecision abort', ReplanDecisionSchema, { action: 'abort', steps: null, rationale: 'Cannot be done.' }],
  ] as const)('round-trips a %s through JSON unchanged', (_name, schema, value) => {
    expect(roundTrip(schema as z.ZodType, value)).toEqual(value);
  });

  it.each([
    [
      'a step without toolHint and with a numeric id',
      PlanStepSchema,
      { id: 1, description: 'd', expectedOutput: 'e', dependsOn: [] },
      [
        { path: ['id'], message: 'Invalid input: expected string, received number' },
        { path: ['toolHint'], message: 'Invalid input: expected string, received undefined' },
      ],
    ],
    [
      'a model step without tool and toolArgs (every field required, as strict output wants)',
      ModelPlanStepSchema,
      { ...step('a') },
      [
        { path: ['tool'], message: 'Invalid input: expected string, received undefined' },
        { path: ['toolArgs'], message: 'Invalid input: expected string, received undefined' },
      ],
    ],
    [
      'a direct step whose toolArgs is not an object',
      PlanStepSchema,
      { ...step('a'), tool: 'add', toolArgs: '{"a": 1}' },
      [{ path: ['toolArgs'], message: 'Invalid input: expected record, received string' }],
    ],
    [
      'a step whose dependsOn is a string',
      PlanStepSchema,
      { ...step('a'), dependsOn: 'b' },
      [{ path: ['dependsOn'], message: 'Invalid input: expected array, received string' }],
    ],
    [
      'a plan without goal and with an invalid step',
      PlanSchema,
      { steps: [{ ...step('a'), expectedOutput: undefined }], rationale: null },
      [
        { path: ['goal'], message: 'Invalid input: expected string, received undefined' },
        { path: ['steps', 0, 'expectedOutput'], message: 'Invalid input: expected string, received undefined' },
      ],
    ],
    [
      'a plan whose rationale is missing (nullable, not optional)',
      PlanSchema,
      { goal: 'g', steps: [] },
      [{ path: ['rationale'], message: 'Invalid input: expected string, received undefined' }],
    ],
    [
      'an outcome whose success is a string',
      StepOutcomeSchema,
      { success: 'yes', output: 'o', error: null },
      [{ path: ['success'], message: 'Invalid input: expected boolean, received string' }],
    ],
    [
      'a decision with an unknown action',
      ReplanDecisionSchema,
      { action: 'retry', steps: null, rationale: 'r' },
      [{ path: ['action'], message: 'Invalid option: expected one of "revise"|"skip"|"abort"' }],
    ],
    [
      'a decision without steps',
      ReplanDecisionSchema,
      { action: 'skip', rationale: 'r' },
      [{ path: ['steps'], message: 'Invalid input: expected array, received undefined' }],
    ],
  ] as const)('rejects %s', (_name, schema, value, expected) => {
    expect(issuesOf(schema as z.ZodType, value)).toEqual(expected);
  });
});

/** Every object field reachable from `schema`, with its description (or null). */
function describedFields(schema: z.ZodType, path = ''): Array<[string, string | null]> {
  if (schema instanceof z.ZodNullable) return describedFields(schema.unwrap() as z.ZodType, path);
  if (schema instanceof z.ZodArray) return describedFields(schema.element as z.ZodType, `${path}[]`);
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => {
    const fieldPath = path ? `${path}.${key}` : key;
    return [[fieldPath, field.description ?? null] as [string, string | null], ...describedFields(field, fieldPath)];
  });
}

describe('schema descriptions', () => {
  it.each([
    ['PlanStep', PlanStepSchema, ['id', 'description', 'expectedOutput', 'dependsOn', 'toolHint', 'tool', 'toolArgs', 'meta']],
    ['ModelPlanStep', ModelPlanStepSchema, ['id', 'description', 'expectedOutput', 'dependsOn', 'toolHint', 'tool', 'toolArgs']],
    [
      'Plan',
      PlanSchema,
      [
        'goal',
        'steps',
        'steps[].id',
        'steps[].description',
        'steps[].expectedOutput',
        'steps[].dependsOn',
        'steps[].toolHint',
        'steps[].tool',
        'steps[].toolArgs',
        'steps[].meta',
        'rationale',
      ],
    ],
    [
      'ModelPlan',
      ModelPlanSchema,
      [
        'goal',
        'steps',
        'steps[].id',
        'steps[].description',
        'steps[].expectedOutput',
        'steps[].dependsOn',
        'steps[].toolHint',
        'steps[].tool',
        'steps[].toolArgs',
        'rationale',
      ],
    ],
    ['StepOutcome', StepOutcomeSchema, ['success', 'output', 'error']],
    [
      'ReplanDecision',
      ReplanDecisionSchema,
      [
        'action',
        'steps',
        'steps[].id',
        'steps[].description',
        'steps[].expectedOutput',
        'steps[].dependsOn',
        'steps[].toolHint',
        'steps[].tool',
        'steps[].toolArgs',
        'steps[].meta',
        'rationale',
      ],
    ],
    [
      'ModelReplanDecision',
      ModelReplanDecisionSchema,
      [
        'action',
        'steps',
        'steps[].id',
        'steps[].description',
        'steps[].expectedOutput',
        'steps[].dependsOn',
        'steps[].toolHint',
        'steps[].tool',
        'steps[].toolArgs',
        'rationale',
      ],
    ],
  ] as const)('gives every field of %s a non-empty description', (_name, schema, expectedPaths) => {
    const fields = describedFields(schema as z.ZodType);
    expect(fields.map(([path]) => path)).toEqual(expectedPaths);
    expect(fields.filter(([, description]) => !description?.trim()).map(([path]) => path)).toEqual([]);
  });
});
