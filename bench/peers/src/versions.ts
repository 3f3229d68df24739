import { readFileSync } from 'node:fs';

/** The installed version of each package in bench/peers/node_modules. */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const read = (name: string) => {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  };
  return Object.fromEntries(names.map((name) => [name, read(name)]));
}
