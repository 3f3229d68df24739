import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopbackModel, type LoopbackModel } from './helpers/loopback-model.ts';
import { runInTerminal } from './helpers/run-in-terminal.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

const PLAN = {
  goal: 'Write hello.txt',
  rationale: null,
  steps: [{ id: 'write', description: 'Write hello.txt', expectedOutput: 'hello.txt written', dependsOn: [], toolHint: 'writeFile' }],
};

let model: LoopbackModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  removeTempDirs();
});

describe('plan-execute run on a terminal', { timeout: 90_000 }, () => {
  it('marks a step with a warning ⚠ on the checklist, and prints --verbose lines above it', async () => {
    // The executor answers at once: the plan named writeFile, and no tool was called.
    model = await startLoopbackModel({
      planner: [{ json: PLAN }],
      executor: [{ json: { success: true, output: 'wrote hello.txt', error: null } }],
      synthesizer: [{ text: 'Done.' }],
    });
    const workspace = realpathSync(makeTempDir('plan-execute-run-tty-'));
    const { code, output, text } = await runInTerminal(`run 'Write hello.txt' --workspace ${workspace} --verbose`, { env: { OPENAI_BASE_URL: model.baseUrl } });
    expect(code).toBe(0);
    expect(text).toContain('  ✔ write  Write hello.txt — ⚠ Step "write" was planned with tool "writeFile" but the executor made no tool call\n');
    expect(output).toContain('\u001B[33m — ⚠ Step "write" was planned'); // the warning in yellow
    // Each verbose line stays on the screen, above the checklist drawn again below it.
    const calls = text.split('\n').filter((line) => line.startsWith('  model call: '));
    expect(calls.map((line) => line.replace(/ in \d+ ms$/, ''))).toEqual([
      '  model call: planner, mode prompt, 15 tokens (10 in, 5 out)',
      '  model call: executor (step write), mode tool, 15 tokens (10 in, 5 out)',
      '  model call: synthesizer, mode text, 15 tokens (10 in, 5 out)',
    ]);
    expect(text).toMatch(/\n✔ completed\n\nanswer: Done\.\ntokens: 45 \(planner 15, executor 15, synthesizer 15\); 1 step attempt in \d+ ms\n$/);
  });
});
