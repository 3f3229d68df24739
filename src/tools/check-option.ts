import { expectInteger } from '../engine/option-checks.ts';

/** `value`, or `fallback` when undefined; throws InvalidOptionsError naming `name` unless it is a positive integer. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  expectInteger(name, value, { min: 1 });
  return value ?? fallback;
}
