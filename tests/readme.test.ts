import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReply, startOpenAIStub, textReply, toolCallReply, type OpenAIStub, type RecordedRequest, type StubReply } from './helpers/openai-stub-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package, so that `from 'mastra-plan-execute'` resolves by package self-reference.
const TMP_ROOT = join(ROOT, 'tests', '.tmp');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

/** The first ```ts block under the "## Use it" heading, up to the next "## " heading. */
function firstTsBlockUnder(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "${heading}" heading`);
  const sectionEnd = markdown.indexOf('\n## ', start + heading.length + 1);
  const section = markdown.slice(start, sectionEnd === -1 ? undefined : sectionEnd);
  const block = /```ts\n([\s\S]*?)\n```/.exec(section);
  if (!block) throw new Error(`No \`\`\`ts block under "${heading}"`);
  return `${block[1]}\n`;
}

/** The text of a chat message's content (a string, or an array of text parts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: string }) => part.text ?? '').join('');
  return '';
}

const numbers = (text: string) => [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((match) => Number(match[0]));

const PLAN = {
  goal: 'Compute (2 + 3) + (4 + 5)',
  rationale: 'The two inner sums are independent; the outer sum needs both.',
  steps: [
    { id: 's1', description: 'Add 2 and 3', expectedOutput: 'The sum of 2 and 3', dependsOn: [], toolHint: 'add' },
    { id: 's2', description: 'Add 4 and 5', expectedOutput: 'The sum of 4 and 5', dependsOn: [], toolHint: 'add' },
    { id: 's3', description: 'Add the results of s1 and s2', expectedOutput: 'The final sum', dependsOn: ['s1', 's2'], toolHint: 'add' },
  ],
};

/**
 * A model that answers the README's task by reading each request, as steps run in parallel:
 * the planner gets PLAN; an executor step first calls `add` with the numbers of its description
 * (s1, s2) or of its dependencies' outputs (s3), then reports the tool's sum with `report_step_outcome`; the synthesizer
 * reports the last step's output.
 */
function answer(request: RecordedRequest): StubReply {
  const messages = request.body.messages ?? [];
  const system = contentText(messages[0]?.content);
  const user = contentText(messages.find((message) => message.role === 'user')?.content);
  if (system.startsWith('You are the planner')) return jsonReply(PLAN);
  if (system.startsWith('You are the synthesizer')) {
    const outer = /<data source="s3: [^"]*">\n(.*)\n<\/data>/.exec(user)?.[1];
    return textReply(`(2 + 3) + (4 + 5) = ${outer}`);
  }
  if (!system.startsWith('You are the executor')) throw new Error(`Unknown role: ${system.slice(0, 40)}`);
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const { sum } = JSON.parse(contentText(last.content)) as { sum: number };
    // On a server other than OpenAI's own API the executor reports through its final-answer tool.
    return toolCallReply('report_step_outcome', { success: true, output: String(sum), error: null });
  }
  const stepLine = /Your step \((\w+)\):\n<data source="step">\n(.*)\nExpected output: /.exec(user);
  if (!stepLine) throw new Error('No step in the executor prompt');
  const operands =
    stepLine[1] === 's3'
      ? [...user.matchAll(/<data source="output of s[12] [^"]*">\n(.*)\n<\/data>/g)].map((match) => Number(match[1]))
      : numbers(stepLine[2]!);
  const [a, b] = operands;
  return toolCallReply('add', { a, b });
}

describe('README "Use it" example', () => {
  let stub: OpenAIStub;
  let workDir: string;

  beforeAll(async () => {
    stub = await startOpenAIStub(answer);
    await mkdir(TMP_ROOT, { recursive: true });
    workDir = await mkdtemp(join(TMP_ROOT, 'readme-'));
  });

  afterAll(async () => {
    await stub?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
    // Other runs may still use the folder; leave it to them then.
    await rmdir(TMP_ROOT).catch(() => {});
  });

  it('runs as written against an OpenAI-compatible server and prints each event, then the answer', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const example = firstTsBlockUnder(readme, '## Use it');
    expect(example).toContain("from 'mastra-plan-execute'");
    const file = join(workDir, 'readme-example.ts');
    await writeFile(file, example);

    // A minimal environment: no inherited OPENAI_*, *_MODEL or NODE_OPTIONS; tsx's `#!/usr/bin/env node` finds this Node (22) first.
    const { stdout, stderr } = await run(TSX, [file], {
      cwd: ROOT,
      timeout: 50_000,
      env: {
        PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
        HOME: process.env.HOME ?? ROOT,
        OPENAI_BASE_URL: `${stub.url}/v1`,
        MASTRA_TELEMETRY_DISABLED: '1',
      },
    });

    expect(stderr).toBe('');
    // One `model-called` per role call: the plan, each step's tool loop, the synthesis.
    expect(stdout.split('\n')).toEqual([
      'run-started',
      'model-called',
      'plan-created',
      'step-started',
      'step-started',
      'model-called',
      'step-finished',
      'model-called',
      'step-finished',
      'step-started',
      'model-called',
      'step-finished',
      'model-called',
      'synthesis-finished',
      'run-finished',
      'completed (2 + 3) + (4 + 5) = 14',
      '',
    ]);

    const { requests } = stub;
    // 1 plan + 3 steps × (tool call, outcome) + 1 synthesis, all to the Chat Completions API with the placeholder key.
    expect(requests).toHaveLength(8);
    expect(new Set(requests.map((request) => `${request.method} ${request.path} ${request.headers.authorization}`))).toEqual(
      new Set(['POST /v1/chat/completions Bearer not-needed']),
    );
    // What the real `add` tool returned, as the model received it (s1 and s2 run in parallel, so sorted).
    const toolResults = requests.flatMap((request) =>
      (request.body.messages ?? []).filter((message) => message.role === 'tool').map((message) => contentText(message.content)),
    );
    expect(toolResults.sort()).toEqual(['{"sum":14}', '{"sum":5}', '{"sum":9}']);
    const toolCalls = requests.flatMap((request) =>
      (request.body.messages ?? []).flatMap((message) => (message.tool_calls as Array<{ function: { name: string; arguments: string } }> | undefined) ?? []),
    );
    expect(toolCalls.map((call) => `${call.function.name} ${call.function.arguments}`).sort()).toEqual([
      'add {"a":2,"b":3}',
      'add {"a":4,"b":5}',
      'add {"a":5,"b":9}',
    ]);
    // Every executor request offered the final-answer tool beside `add`, and none carried a response_format.
    const executorRequests = requests.filter((request) => contentText(request.body.messages?.[0]?.content).startsWith('You are the executor'));
    expect(
      new Set(executorRequests.map((request) => `${request.body.tools?.map((tool) => tool.function.name).join(',')} ${request.body.response_format}`)),
    ).toEqual(new Set(['add,report_step_outcome undefined']));
  }, 60_000);
});
