import picocolors from 'picocolors';
import type { OutputStream } from '../io.ts';

/** picocolors' formatters; every one is the identity when colors are off. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/** Colors for `stream`: on for a terminal unless NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): Colors {
  return picocolors.createColors(Boolean(stream.isTTY) && !env.NO_COLOR);
}
