import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment with the variables of `<cwd>/.env` added (as README's set-up suggests copying
 * .env.example to .env); a variable set in the environment wins over the file.
 */
export async function withEnvFile(env: Env, cwd: string): Promise<Env> {
  let text: string;
  try {
    text = await readFile(join(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw error;
  }
  return { ...parseEnv(text), ...env };
}
