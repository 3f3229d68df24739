import { InvalidOptionsError } from '../engine/errors.ts';

/** `value`, or `fallback` when undefined; throws InvalidOptionsError naming `name` unless it is a positive integer. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionsError(`Expected \`${name}\` to be an integer from 1 and up, got ${String(value)} (${typeof value})`);
  }
  return value;
}
