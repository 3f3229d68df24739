import { InvalidOptionsError } from './errors.ts';

/** A value as an error message shows it: `0 (number)`, `"x" (string)`, `[] (object)`. */
export function describeValue(value: unknown): string {
  return `${typeof value === 'string' || isPlainData(value) ? JSON.stringify(value) : String(value)} (${typeof value})`;
}

/** Arrays and plain objects that JSON shows as they are (no cycles, nothing bigger than a line). */
function isPlainData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return false;
  try {
    return JSON.stringify(value).length <= 200;
  } catch {
    return false;
  }
}

/** The longest delay a Node timer honours (2³¹−1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Bounds of an integer option. */
export interface IntegerBounds {
  /** Smallest value accepted. */
  readonly min: number;
  /** Largest value accepted. @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
}

/**
 * Checks an optional integer option; throws InvalidOptionsError naming it and the bad value.
 * Undefined passes (the caller's default applies).
 */
export function expectInteger(name: string, value: unknown, { min, max = Number.MAX_SAFE_INTEGER }: IntegerBounds): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `from ${min} and up` : `from ${min} to ${max}`;
    throw new InvalidOptionsError(`Expected \`${name}\` to be an integer ${range}, got ${describeValue(value)}`);
  }
}

/** Checks an optional boolean option. */
export function expectBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidOptionsError(`Expected \`${name}\` to be a boolean, got ${describeValue(value)}`);
  }
}

/** Checks an optional function option. */
export function expectFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionsError(`Expected \`${name}\` to be a function, got ${describeValue(value)}`);
  }
}

/** Checks an optional array-of-strings option; the message names only types, since the strings may be secrets. */
export function expectStringArray(name: string, value: unknown): void {
  if (value === undefined) return;
  const badIndex = Array.isArray(value) ? value.findIndex((item) => typeof item !== 'string') : -1;
  if (!Array.isArray(value) || badIndex !== -1) {
    const bad: unknown = Array.isArray(value) ? value[badIndex] : value;
    const got = `${Array.isArray(value) ? 'an array holding ' : ''}${bad === null ? 'null' : typeof bad}`;
    throw new InvalidOptionsError(`Expected \`${name}\` to be an array of strings, got ${got}`);
  }
}
