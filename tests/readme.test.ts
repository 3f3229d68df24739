import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReply, startOpenAIStub, textReply, toolCallReply, type OpenAIStub, type RecordedRequest, type StubReply } from './helpers/openai-stub-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the project, so that `mastra-plan-execute` and its subpaths resolve to src/ through the tsconfig `paths`.
const TMP_ROOT = join(ROOT, 'tests', '.tmp');
const BIN = join(ROOT, 'node_modules', '.bin');
const execFileAsync = promisify(execFile);
const MAX_README_BYTES = 20 * 1024;
const FENCE_LANGUAGES = new Set(['ts', 'sh', 'json', 'mermaid', 'text']);
/** What `jq .status` prints, for machines without jq. */
const JQ_STATUS_STAND_IN = `node -e "let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>console.log(JSON.stringify(JSON.parse(s).status)))"`;

/** A minimal environment (no inherited OPENAI_*, *_MODEL or NODE_OPTIONS) whose `node` is this Node (22). */
const childEnv = (extra: Record<string, string> = {}) => ({
  PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
  HOME: process.env.HOME ?? ROOT,
  MASTRA_TELEMETRY_DISABLED: '1',
  ...extra,
});

/** What a child process printed and how it ended, whether or not it succeeded. */
async function runChild(file: string, args: string[], env: Record<string, string>, timeout: number) {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: ROOT, env, timeout });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Every fenced code block, with its language (empty when it names none). */
const fences = (markdown: string): { language: string; code: string }[] =>
  [...markdown.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].map((match) => ({ language: match[1]!, code: match[2]! }));

/** The text from the `## heading` line up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`No "## ${heading}" heading`);
  const end = markdown.indexOf('\n## ', start + heading.length + 4);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The one ```ts block of a section that contains `marker`. */
function tsBlock(markdown: string, heading: string, marker: string): string {
  const blocks = fences(section(markdown, heading)).filter((fence) => fence.language === 'ts' && fence.code.includes(marker));
  if (blocks.length !== 1) throw new Error(`Expected one ts block with "${marker}" under "${heading}", found ${blocks.length}`);
  return blocks[0]!.code;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]|( )/gu, (_, space) => (space ? '-' : ''));

const documents = async () => ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

let workDir: string;
let readme: string;

beforeAll(async () => {
  await mkdir(TMP_ROOT, { recursive: true });
  workDir = await mkdtemp(join(TMP_ROOT, 'readme-'));
  readme = await readFile(join(ROOT, 'README.md'), 'utf8');
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
  // Other runs may still use the folder; leave it to them then.
  await rmdir(TMP_ROOT).catch(() => {});
});

describe('README.md and docs/', () => {
  it('keeps the README at most 20 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(MAX_README_BYTES);
  });

  it('states the Node range of package.json "engines"', async () => {
    const { engines } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const [, major, minor] = /^>=(\d+)\.(\d+)/.exec(engines.node) ?? [];
    expect(readme).toContain(`Node ≥ ${major}.${minor}`);
  });

  it('links only to files (and headings) that exist', async () => {
    const broken: string[] = [];
    for (const document of await documents()) {
      const text = await readFile(join(ROOT, document), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        const file = path ? resolve(ROOT, dirname(document), path) : join(ROOT, document);
        if (!existsSync(file)) broken.push(`${document}: ${target}`);
        else if (anchor && file.endsWith('.md')) {
          const headings = [...(await readFile(file, 'utf8')).matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1]!));
          if (!headings.includes(anchor)) broken.push(`${document}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('uses only code fences that are checked or plain (ts, sh, json, mermaid, text), and its JSON parses', async () => {
    for (const document of await documents()) {
      for (const fence of fences(await readFile(join(ROOT, document), 'utf8'))) {
        expect(FENCE_LANGUAGES, `${document}: a \`\`\`${fence.language} block`).toContain(fence.language);
        if (fence.language === 'json') expect(() => JSON.parse(fence.code), `${document}: ${fence.code}`).not.toThrow();
      }
    }
  });

  it('type-checks every ts block, each as a module of its own', async () => {
    const blockDir = join(workDir, 'blocks');
    await mkdir(blockDir);
    let count = 0;
    for (const document of await documents()) {
      const blocks = fences(await readFile(join(ROOT, document), 'utf8')).filter((fence) => fence.language === 'ts');
      for (const [index, block] of blocks.entries()) {
        const name = `${document.replace(/[/.]/g, '-')}-${index + 1}.ts`;
        await writeFile(join(blockDir, name), `${block.code}\nexport {};\n`);
        count++;
      }
    }
    const tsconfig = { extends: join(ROOT, 'tsconfig.json'), include: ['*.ts'] };
    await writeFile(join(blockDir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const { stdout, stderr } = await runChild(join(BIN, 'tsc'), ['-p', blockDir], childEnv(), 110_000);
    // Only the blocks' own errors (and tsc's global ones) count: src/ is type-checked by `tsc -p .`.
    const problems = `${stdout}${stderr}`.split('\n').filter((line) => line.startsWith(relative(ROOT, blockDir)) || line.startsWith('error'));
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(10);
  }, 120_000);
});

describe('README "Quick start", offline', () => {
  it('runs as written on the scripted models and prints each event, then the answer', async () => {
    const file = join(workDir, 'quick-start.ts');
    await writeFile(file, tsBlock(readme, 'Quick start', 'mastra-plan-execute/testing'));
    const { code, stdout, stderr } = await runChild(join(BIN, 'tsx'), [file], childEnv(), 50_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const events = ['run-started', 'model-called', 'plan-created'];
    const step = ['step-started', 'model-called', 'step-finished'];
    expect(stdout.split('\n')).toEqual([...events, ...step, ...step, 'model-called', 'synthesis-finished', 'run-finished', 'completed (2 + 3) + 4 = 9', '']);
  }, 60_000);
});

describe('README CLI pipe example', () => {
  it('prints the release status as JSON through jq, and the CLI exits 2 for an aborted release', async () => {
    const lines = fences(section(readme, 'CLI')).flatMap((fence) => (fence.language === 'sh' ? fence.code.split('\n') : []));
    const line = lines.find((candidate) => candidate.includes('| jq .status'));
    expect(line).toBeDefined();
    let command = line!.replace(/\s+#.*$/, '');
    expect(command).toBe('npm start --silent -- release 1.5.0 --env production --json | jq .status');
    // Where jq is missing (some CI images), a node reader stands in for it; the README keeps what a user types.
    const hasJq = (await runChild('sh', ['-c', 'command -v jq'], childEnv(), 5_000)).code === 0;
    if (!hasJq) command = command.replace('jq .status', JQ_STATUS_STAND_IN);
    const { code, stdout } = await runChild('bash', ['-o', 'pipefail', '-c', command], childEnv(), 80_000);
    expect(stdout).toBe('"aborted"\n');
    expect(code).toBe(2);
  }, 90_000);
});

// The model-backed Quick start block against a loopback OpenAI-compatible server.

const contentText = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : '';

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
 * A model that answers the README's task by reading each request, as steps run in parallel: the
 * planner gets PLAN; an executor step calls `add` with the numbers of its description (s1, s2) or
 * of its dependencies' outputs (s3), then reports the sum with `report_step_outcome`; the
 * synthesizer reports the last step's output.
 */
function answer(request: RecordedRequest): StubReply {
  const messages = request.body.messages ?? [];
  const system = contentText(messages[0]?.content);
  const user = contentText(messages.find((message) => message.role === 'user')?.content);
  if (system.startsWith('You are the planner')) return jsonReply(PLAN);
  if (system.startsWith('You are the synthesizer')) return textReply(`(2 + 3) + (4 + 5) = ${/<data source="s3: [^"]*">\n(.*)\n<\/data>/.exec(user)?.[1]}`);
  if (!system.startsWith('You are the executor')) throw new Error(`Unknown role: ${system.slice(0, 40)}`);
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const { sum } = JSON.parse(contentText(last.content)) as { sum: number };
    // On a server other than OpenAI's own API the executor reports through its final-answer tool.
    return toolCallReply('report_step_outcome', { success: true, output: String(sum), error: null });
  }
  const stepLine = /Your step \((\w+)\):\n<data source="step">\n(.*)\nExpected output: /.exec(user);
  if (!stepLine) throw new Error('No step in the executor prompt');
  const [a, b] =
    stepLine[1] === 's3'
      ? [...user.matchAll(/<data source="output of s[12] [^"]*">\n(.*)\n<\/data>/g)].map((match) => Number(match[1]))
      : numbers(stepLine[2]!);
  return toolCallReply('add', { a, b });
}

describe('README "Quick start" with models from the environment', () => {
  let stub: OpenAIStub;
  beforeAll(async () => void (stub = await startOpenAIStub(answer)));
  afterAll(() => stub?.close());

  it('runs as written against an OpenAI-compatible server and prints each event, then the answer', async () => {
    const file = join(workDir, 'models-from-env.ts');
    await writeFile(file, tsBlock(readme, 'Quick start', 'modelsFromEnv()'));
    const { code, stdout, stderr } = await runChild(join(BIN, 'tsx'), [file], childEnv({ OPENAI_BASE_URL: `${stub.url}/v1` }), 50_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // One `model-called` per role call: the plan, each step's tool loop, the synthesis.
    const parallel = ['step-started', 'step-started', 'model-called', 'step-finished', 'model-called', 'step-finished'];
    const last = ['step-started', 'model-called', 'step-finished', 'model-called', 'synthesis-finished', 'run-finished'];
    expect(stdout.split('\n')).toEqual(['run-started', 'model-called', 'plan-created', ...parallel, ...last, 'completed (2 + 3) + (4 + 5) = 14', '']);

    const { requests } = stub;
    // 1 plan + 3 steps × (tool call, outcome) + 1 synthesis, all to the Chat Completions API with the placeholder key.
    expect(requests).toHaveLength(8);
    expect(new Set(requests.map((request) => `${request.method} ${request.path} ${request.headers.authorization}`))).toEqual(
      new Set(['POST /v1/chat/completions Bearer not-needed']),
    );
    const messages = requests.flatMap((request) => request.body.messages ?? []);
    // What the real `add` tool returned, as the model received it (s1 and s2 run in parallel, so sorted).
    const toolResults = messages.filter((message) => message.role === 'tool').map((message) => contentText(message.content));
    expect(toolResults.sort()).toEqual(['{"sum":14}', '{"sum":5}', '{"sum":9}']);
    const toolCalls = messages.flatMap((message) => (message.tool_calls as Array<{ function: { name: string; arguments: string } }> | undefined) ?? []);
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
