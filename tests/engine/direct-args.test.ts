import { describe, expect, it } from 'vitest';
import { fillArgs, findRefs, formatArgPath, isDirectStep, isStepRef, resolveRef } from '../../src/engine/direct-args.ts';

const outputs: Record<string, string> = {
  list: '{"items":[{"name":"alpha"},{"name":"beta"}],"count":2}',
  text: 'plain text, not JSON',
  array: '[3, 4]',
  number: '42',
};
const outputOf = (stepId: string) => outputs[stepId] ?? null;

describe('isStepRef', () => {
  it.each([
    [{ $ref: 's1' }, true],
    [{ $ref: 's1', path: 'a.0' }, true],
    [{ $ref: 1 }, false],
    [{ $ref: 's1', path: 3 }, false],
    [{ $ref: 's1', extra: true }, false],
    [{ ref: 's1' }, false],
    ['{"$ref":"s1"}', false],
  ])('%j → %s', (value, expected) => {
    expect(isStepRef(value)).toBe(expected);
  });
});

describe('findRefs', () => {
  it('finds every reference, nested in objects and arrays, and every malformed one, with where it sits', () => {
    const args = { a: { $ref: 's1' }, list: [1, { $ref: 's2', path: 'x' }], deep: { b: { $ref: 9 } }, text: '{"$ref":"s3"}' };

    expect(findRefs(args)).toEqual({
      refs: [
        { ref: { $ref: 's1' }, at: ['a'] },
        { ref: { $ref: 's2', path: 'x' }, at: ['list', 1] },
      ],
      malformed: [['deep', 'b']],
    });
  });

  it('names places for messages', () => {
    expect([formatArgPath([]), formatArgPath(['a']), formatArgPath(['list', 1, 'name'])]).toEqual(['(the arguments)', 'a', 'list[1].name']);
  });
});

describe('resolveRef', () => {
  it.each([
    ['the parsed JSON of an object output', { $ref: 'list' }, JSON.parse(outputs.list!)],
    ['the parsed JSON of an array output', { $ref: 'array' }, [3, 4]],
    ['the text of an output that is not a JSON object or array', { $ref: 'text' }, 'plain text, not JSON'],
    ['the text of a JSON scalar (only objects and arrays are parsed)', { $ref: 'number' }, '42'],
    ['a value inside the JSON by path, arrays indexed by number', { $ref: 'list', path: 'items.1.name' }, 'beta'],
    ['a number inside the JSON', { $ref: 'list', path: 'count' }, 2],
    ['an array element at the root', { $ref: 'array', path: '0' }, 3],
  ])('gives %s', (_case, ref, expected) => {
    expect(resolveRef(ref, outputOf(ref.$ref)!)).toEqual(expected);
  });

  it.each([
    ['a missing key', { $ref: 'list', path: 'items.5.name' }, 'The output of "list" has no value at "items.5.name" (missing "5")'],
    ['a path into text', { $ref: 'text', path: 'a' }, 'The output of "text" is not a JSON object or array, so it has no "a"'],
    ['an inherited key', { $ref: 'list', path: 'items.toString' }, 'The output of "list" has no value at "items.toString" (missing "toString")'],
  ])('throws on %s', (_case, ref, message) => {
    expect(() => resolveRef(ref, outputOf(ref.$ref)!)).toThrow(message);
  });
});

describe('fillArgs', () => {
  it('replaces every reference by its value and leaves literals (strings that look like references included) alone', () => {
    const args = { first: { $ref: 'list', path: 'items.0.name' }, all: [{ $ref: 'array' }, 5], note: '{"$ref":"list"}', nested: { text: { $ref: 'text' } } };

    expect(fillArgs(args, outputOf)).toEqual({ first: 'alpha', all: [[3, 4], 5], note: '{"$ref":"list"}', nested: { text: 'plain text, not JSON' } });
  });

  it('throws when a referenced step has no output', () => {
    expect(() => fillArgs({ a: { $ref: 'skipped' } }, outputOf)).toThrow('Step "skipped" has no output to use (it is not done)');
  });
});

describe('isDirectStep', () => {
  it.each([
    [{ tool: 'add' }, true],
    [{ tool: null }, false],
    [{ tool: '' }, false],
    [{}, false],
  ])('%j → %s', (step, expected) => {
    expect(isDirectStep(step)).toBe(expected);
  });
});
