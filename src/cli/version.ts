import { readFileSync } from 'node:fs';

/** This package's version, as package.json says (`plan-execute --version`). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
