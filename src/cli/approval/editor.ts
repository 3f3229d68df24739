import { spawn, type StdioOptions } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The editor used when neither EDITOR nor VISUAL is set. */
export const DEFAULT_EDITOR = 'vi';

/** The editor could not be started, or exited with an error; the text is unchanged. */
export class EditorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EditorError';
  }
}

/** Options of `editText`. */
export interface EditTextOptions {
  /** Where EDITOR (then VISUAL) is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The editor's stdin, stdout and stderr. @default 'inherit' */
  readonly stdio?: StdioOptions;
  /** Name of the temporary file, whose extension editors use for highlighting. @default 'plan.json' */
  readonly fileName?: string;
}

/**
 * The editor command as program and arguments. It is split on whitespace and run without a
 * shell, so `code --wait` works and nothing in the variable is interpreted by a shell.
 */
export function editorCommand(env: EditTextOptions['env']): { program: string; args: string[] } {
  const [program = DEFAULT_EDITOR, ...args] = (env.EDITOR?.trim() || env.VISUAL?.trim() || DEFAULT_EDITOR).split(/\s+/);
  return { program, args };
}

/**
 * Writes `text` to a temporary file, opens it in $EDITOR (spawned without a shell), waits for
 * the editor to exit and returns the file's new text. Throws EditorError when the editor cannot
 * start or exits non-zero. The temporary directory is removed in every case.
 */
export async function editText(text: string, { env, stdio = 'inherit', fileName = 'plan.json' }: EditTextOptions): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'plan-execute-'));
  const file = join(directory, fileName);
  try {
    await writeFile(file, text, 'utf8');
    const { program, args } = editorCommand(env);
    await waitForExit(program, [...args, file], stdio);
    return await readFile(file, 'utf8');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function waitForExit(program: string, args: string[], stdio: StdioOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio, shell: false });
    child.once('error', (error) => reject(new EditorError(`could not start the editor "${program}": ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new EditorError(`the editor "${program}" exited with ${signal ? `signal ${signal}` : `code ${code}`}`));
    });
  });
}
