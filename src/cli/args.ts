import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { MAX_TIMER_MS } from '../engine/option-checks.ts';

/** A command line the CLI cannot act on; exits 64 with the message and the command's usage line. */
export class UsageError extends Error {
  /** The usage text of the command concerned. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

const isNodeError = (error: unknown): error is Error & { code: string } => error instanceof Error && 'code' in error;

/** `util.parseArgs` in strict mode, its errors turned into UsageErrors with short messages. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    if (!isNodeError(error) || !error.code.startsWith('ERR_PARSE_ARGS')) throw error;
    // Node's messages run to several sentences; the first says what is wrong. An ambiguous value
    // (`--max-replans -1`) keeps the last one too, which says how to pass it.
    const sentences = error.message.replace(/\.$/, '').split(/[.?]\s+/);
    const [first = error.message] = sentences;
    const last = sentences.length > 1 && error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `; ${lowerFirst(sentences.at(-1) ?? '')}` : '';
    throw new UsageError(lowerFirst(first) + last, usage);
  }
}

/**
 * `raw` as an integer from `min` to MAX_TIMER_MS (every count, time and budget the CLI takes fits:
 * a larger time would fire at once, Node's timers being 32-bit); a UsageError naming `flag` and
 * the value otherwise.
 */
export function parseInteger(flag: string, raw: string, min: number, usage: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value) || value < min) throw new UsageError(`${flag} must be an integer from ${min} and up, got ${JSON.stringify(raw)}`, usage);
  if (value > MAX_TIMER_MS) throw new UsageError(`${flag} must be at most ${MAX_TIMER_MS}, got ${JSON.stringify(raw)}`, usage);
  return value;
}

/** The one positional argument a command takes; a UsageError when it is missing or there are more. */
export function singlePositional(positionals: readonly string[], name: string, usage: string): string {
  const [value, ...extra] = positionals;
  if (value === undefined || value.trim() === '') throw new UsageError(`missing ${name}`, usage);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`, usage);
  return value;
}
