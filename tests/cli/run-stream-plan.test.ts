import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskBrain, NOTE_CONTENT, NOTE_PATH, NOTE_TASK, startOpenAIChatServer, type StandInServer } from '../providers/servers/index.ts';
import { runMain } from './helpers/run-cli.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';

let server: StandInServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

describe('plan-execute run --stream-plan', () => {
  it('streams the planner request and completes the task, the later requests unstreamed', async () => {
    server = await startOpenAIChatServer({ brain: createTaskBrain() });
    const workspace = realpathSync(makeTempDir('plan-execute-stream-plan-'));
    const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test', PLANNER_MODEL: 'qwen3:4b', EXECUTOR_MODEL: 'qwen3:4b' };

    const { code, stdout } = await runMain(['run', NOTE_TASK, '--stream-plan', '--workspace', workspace, '--json'], { env });

    const result = JSON.parse(stdout) as { status: string; plan: Array<{ id: string; status: string }> };
    expect([code, result.status, result.plan.map((step) => [step.id, step.status])]).toEqual([
      0,
      'completed',
      [
        ['s1', 'done'],
        ['s2', 'done'],
      ],
    ]);
    expect(readFileSync(join(workspace, NOTE_PATH), 'utf8')).toBe(NOTE_CONTENT);
    expect(server.requests.map((request) => (request.body as { stream?: boolean }).stream === true)).toEqual([true, false, false, false, false, false]);
  });
});
