import { TOOL_DEFAULTS } from './constants.ts';

/** PATH for commands when the parent process has none, and inside the bubblewrap sandbox (which shows only the system folders). */
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The whole environment a command gets: PATH (`basePath`, else this process's), LANG from this
 * process, HOME set to the workspace root, then `extra`. Nothing else is inherited, so API keys,
 * tokens and other secrets of this process (OPENAI_API_KEY, GITHUB_TOKEN, …) never reach a command.
 */
export function commandEnv(workspaceRoot: string, extra: Readonly<Record<string, string>> = {}, basePath?: string): Record<string, string> {
  return {
    PATH: basePath ?? process.env.PATH ?? SYSTEM_PATH,
    HOME: workspaceRoot,
    LANG: process.env.LANG ?? TOOL_DEFAULTS.lang,
    ...extra,
  };
}
