import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EDITOR, editorCommand, editText, EditorError } from '../../src/cli/approval/editor.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

afterEach(removeTempDirs);

/** An executable script in a fresh directory, removed after the test. */
function script(name: string, body: string): string {
  const file = join(makeTempDir('plan-execute-editor-test-'), name);
  writeFileSync(file, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('editorCommand', () => {
  it.each([
    [{ EDITOR: 'nano' }, { program: 'nano', args: [] }],
    [{ EDITOR: '  code --wait  ' }, { program: 'code', args: ['--wait'] }],
    [
      { EDITOR: '', VISUAL: 'emacs -nw' },
      { program: 'emacs', args: ['-nw'] },
    ],
    [{}, { program: DEFAULT_EDITOR, args: [] }],
  ])('%j → %j', (env, expected) => {
    expect(editorCommand(env)).toEqual(expected);
  });
});

describe('editText', () => {
  it('runs $EDITOR (with its arguments, without a shell) on a temporary file and returns the edited text', async () => {
    const editor = script(
      'upper.mjs',
      `import { readFileSync, writeFileSync } from 'node:fs';
const [flag, file] = process.argv.slice(2);
writeFileSync(file, flag + ':' + readFileSync(file, 'utf8').toUpperCase() + ':' + file.endsWith('plan.json'));`,
    );
    await expect(editText('{"goal": "x"}', { env: { EDITOR: `${editor} --flag;echo` }, stdio: 'ignore' })).resolves.toBe('--flag;echo:{"GOAL": "X"}:true');
  });

  it('removes the temporary file afterwards', async () => {
    const editor = script('remember.mjs', `import { writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], process.argv[2]);`);
    const path = await editText('', { env: { EDITOR: editor }, stdio: 'ignore' });
    expect(existsSync(path)).toBe(false);
  });

  it('throws EditorError when the editor exits non-zero', async () => {
    const editor = script('fail.mjs', 'process.exit(3);');
    const error = await editText('{}', { env: { EDITOR: editor }, stdio: 'ignore' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EditorError);
    expect((error as Error).message).toBe(`the editor "${editor}" exited with code 3`);
  });

  it('throws EditorError when the editor cannot be started', async () => {
    const error = await editText('{}', { env: { EDITOR: '/nonexistent/editor' }, stdio: 'ignore' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EditorError);
    expect((error as Error).message).toBe('could not start the editor "/nonexistent/editor": spawn /nonexistent/editor ENOENT');
  });
});
