/** What a secret becomes wherever the run writes it. */
export const REDACTED = '[REDACTED]';

/**
 * Shortest secret value redacted. Shorter values (`1`, `true`, `dev`) are not secrets and would,
 * redacted, shred every text they occur in.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Names of environment variables whose values are secret: a `_KEY`, `_TOKEN`, `_SECRET`,
 * `_PASS`, `_CREDENTIAL(S)`, `_AUTH` suffix (or the bare word), a `_PWD` suffix (not the bare
 * word: the shell's `PWD` is the working directory), or `PASSWORD`, `PASSWD`, `SECRET`,
 * `API_KEY`, `APIKEY`, `ACCESS_KEY`, `PRIVATE_KEY` anywhere in the name.
 */
const SECRET_SUFFIX = /(?:^|_)(?:KEY|TOKEN|SECRET|PASS|CREDENTIALS?|AUTH)$|_PWD$/i;
const SECRET_WORD = /PASSWORD|PASSWD|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY/i;

/** Whether an environment variable's name says its value is secret. */
export function isSecretName(name: string): boolean {
  return SECRET_SUFFIX.test(name) || SECRET_WORD.test(name);
}

/** Options of `createRedactor`. */
export interface RedactorOptions {
  /** An environment (`process.env`) to take secrets from: values of secret-looking names, and passwords inside URLs. @default {} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** More strings to redact, whatever their length (the caller's `redact` option). @default [] */
  readonly extra?: readonly string[];
  /** Shortest environment value redacted. @default MIN_SECRET_LENGTH */
  readonly minLength?: number;
}

/** Replaces every secret in a plain JSON value (and in Errors), returning a copy; the input is never changed. */
export type Redactor = <T>(value: T) => T;

/**
 * The secret values of an environment: values of secret-looking names, and the secrets inside URL
 * values (see {@link urlSecrets}).
 */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>, minLength = MIN_SECRET_LENGTH): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (isSecretName(name) && value.length >= minLength) secrets.push(value);
    secrets.push(...urlSecrets(value, minLength));
  }
  return secrets;
}

/**
 * The secrets inside a URL (`postgres://user:pw@host`, `https://host/?api_key=…`): its password
 * and the values of secret-named query parameters, each as written and percent-decoded — a URL
 * echoed by a tool or a log shows the first, a connection error the second. None for text that
 * is not a URL.
 */
export function urlSecrets(value: string, minLength = MIN_SECRET_LENGTH): string[] {
  if (!value.includes('://')) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  // The values of secret-named parameters as written (URLSearchParams would decode them).
  const queryValues = url.search
    .slice(1)
    .split('&')
    .flatMap((pair) => {
      const at = pair.indexOf('=');
      return at > 0 && isSecretName(safeDecode(pair.slice(0, at))) ? [pair.slice(at + 1)] : [];
    });
  // In a query, `+` is a space (as URLSearchParams reads it); in the password it is itself.
  const forms = [
    ...(url.password ? [url.password, safeDecode(url.password)] : []),
    ...queryValues.flatMap((raw) => [raw, safeDecode(raw.replaceAll('+', ' '))]),
  ];
  return [...new Set(forms)].filter((secret) => secret.length >= minLength);
}

/** `decodeURIComponent`, or the text as it is when it holds a malformed escape. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A function that replaces every secret with `[REDACTED]` in strings, arrays, plain objects and
 * Errors (message, stack, cause and own fields; the copy keeps the error's class and `code`), at
 * any depth. With no secrets it returns values as they are.
 * @example const redact = createRedactor({ env: process.env, extra: ['hunter2-long'] }); redact(event);
 */
export function createRedactor({ env = {}, extra = [], minLength = MIN_SECRET_LENGTH }: RedactorOptions = {}): Redactor {
  // Longest first, so a secret that contains another is replaced whole; '' would match everywhere.
  const secrets = [...new Set([...secretsFromEnv(env, minLength), ...extra])].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (value) => value;
  const redactText = (text: string) =>
    secrets.some((secret) => text.includes(secret)) ? secrets.reduce((out, secret) => out.replaceAll(secret, REDACTED), text) : text;
  return <T>(value: T): T => redactValue(value, redactText, new WeakMap()) as T;
}

type Seen = WeakMap<object, unknown>;

function redactValue(value: unknown, redactText: (text: string) => string, seen: Seen): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redactValue(item, redactText, seen));
    return copy;
  }
  if (value instanceof Error) return redactError(value, redactText, seen);
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, redactText, seen);
  return copy;
}

/** A copy of an Error with the same prototype (class, `code`, `isPlanExecuteError` hold) and every own field redacted. */
function redactError(error: Error, redactText: (text: string) => string, seen: Seen): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  seen.set(error, copy);
  for (const key of Reflect.ownKeys(error)) {
    const { enumerable = false } = Object.getOwnPropertyDescriptor(error, key)!;
    // V8's `stack` is an accessor over the original's internal slot: copy its value instead.
    const value = redactValue(Reflect.get(error, key), redactText, seen);
    Object.defineProperty(copy, key, { value, enumerable, writable: true, configurable: true });
  }
  return copy;
}
