import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskBrain, NOTE_CONTENT, NOTE_PATH, NOTE_TASK, startOllamaServer, type StandInServer } from '../providers/servers/index.ts';
import { runCli } from './helpers/run-cli.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

describe('plan-execute run against a simulated model server', { timeout: 90_000 }, () => {
  it('Ollama, a model that does not think (llama3.2), auto mode: --workspace gets a real file, written and read back by real tool calls', async () => {
    // auto: planner `prompt`, executor `tool`, so no request carries tools and a response_format together
    // (with both, Ollama lets no tool call of this model out, ollama/ollama#13750; see tests/providers/servers/ollama.ts).
    server = await startOllamaServer({ brain: createTaskBrain() });
    const workspace = realpathSync(makeTempDir('plan-execute-run-ollama-'));
    const { code, stdout, stderr } = await runCli(['run', NOTE_TASK, '--workspace', workspace, '--json'], {
      env: { OPENAI_BASE_URL: server.baseURL, PLANNER_MODEL: 'llama3.2', EXECUTOR_MODEL: 'llama3.2' },
    });
    expect(stderr).toBe('');
    const result = JSON.parse(stdout);
    expect([code, result.status]).toEqual([0, 'completed']);
    expect(readFileSync(join(workspace, NOTE_PATH), 'utf8')).toBe(NOTE_CONTENT);
    expect(result.steps.map((step: { stepId: string; status: string; toolCalls: number }) => [step.stepId, step.status, step.toolCalls])).toEqual([
      ['s1', 'done', 1],
      ['s2', 'done', 1],
    ]);
    expect(result.plan.map((step: { output: string }) => step.output)[1]).toBe(NOTE_CONTENT);
    expect(result.finalOutput).toBe(`The file ${NOTE_PATH} contains: ${NOTE_CONTENT}`);
    const toolCallsMade = server.exchanges.flatMap((exchange) => exchange.toolCallsSent.map((call) => call.name));
    expect(toolCallsMade).toEqual(['writeFile', 'report_step_outcome', 'readFile', 'report_step_outcome']);
  });
});
