import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExecutorAgent, executorPort } from '../../src/agents/executor.ts';
import { createDefaultAgents } from '../../src/mastra/default-agents.ts';
import { PlanAndExecute } from '../../src/plan-and-execute.ts';
import { mcpConfigSecrets, parseMcpConfig, readMcpConfig, type McpConfig } from '../../src/tools/mcp-config.ts';
import { loadMcpTools, type McpTools } from '../../src/tools/mcp-tools.ts';
import { createScriptedModel, scriptPlan, scriptStepOutcome, text, toolCall, type ModelPrompt, type ScriptedCall } from '../../src/testing/index.ts';
import { makeTempDir, removeTempDirs } from '../cli/helpers/temp-dir.ts';
import { startMcpHttpServer } from '../fixtures/mcp-http-server.ts';
import { recordEvents } from '../helpers/agent-fixtures.ts';
import { plan, step } from '../helpers/plans.ts';
import { isAlive, isGone } from '../helpers/processes.ts';

/** The stdio MCP server the tests start (plain node, @modelcontextprotocol/sdk). */
const SERVER_SCRIPT = fileURLToPath(new URL('../fixtures/mcp-release-server.mjs', import.meta.url));
/** The token the configuration gives the server, which it echoes in its answers. */
const SECRET = 'tok-mcp-secret-0123456789';
/** What `lookup_release` answers for 1.4.3: the channel from the server's env, and the token replaced. */
const REDACTED_ANSWER = 'release 1.4.3: channel beta, signed with [REDACTED]';

const releaseServer = (env: Record<string, string> = {}) => ({
  command: process.execPath,
  args: [SERVER_SCRIPT],
  env: { RELEASE_CHANNEL: 'beta', RELEASE_TOKEN: SECRET, ...env },
});

type Executable = { execute: (input: object, context: object) => Promise<unknown> };
const run = (tools: Record<string, unknown>, name: string, input: object = {}) => (tools[name] as Executable).execute(input, {});
/** The text of an MCP tool result (`{ content: [{ type: 'text', text }] }`). */
const textOf = (result: unknown) => (result as { content: Array<{ text: string }> }).content.map((part) => part.text).join('\n');

/** The text of the last tool result in a model prompt. */
function lastToolResult(prompt: ModelPrompt): string {
  const results = prompt.flatMap((message) => (message.role === 'tool' ? message.content : []));
  const output = (results.at(-1) as { output: { type: string; value: unknown } } | undefined)?.output;
  if (!output) throw new Error('the prompt holds no tool result');
  return output.type === 'text' ? String(output.value) : textOf(output.value);
}

afterAll(removeTempDirs);

describe('parseMcpConfig', () => {
  it.each([
    ['an array', [], 'expected a JSON object with "mcpServers", got an array'],
    ['no mcpServers', { servers: {} }, 'mcpServers: expected an object of servers by name, got nothing'],
    ['no server', { mcpServers: {} }, 'mcpServers: no server is configured'],
    [
      'a name with a space',
      { mcpServers: { 'my server': { command: 'x' } } },
      'mcpServers["my server"]: a server name may hold only letters, digits, _ and - (at most 48), as it prefixes its tool names',
    ],
    ['a string entry', { mcpServers: { a: 'node' } }, 'mcpServers.a: expected an object, got "node"'],
    ['neither command nor url', { mcpServers: { a: {} } }, 'mcpServers.a: give command (a local server, started over stdio) or url (an HTTP server)'],
    [
      'command and url',
      { mcpServers: { a: { command: 'n', url: 'http://x' } } },
      'mcpServers.a: give either command (a local server) or url (an HTTP server), not both',
    ],
    ['a number in args', { mcpServers: { a: { command: 'node', args: ['ok', 3] } } }, 'mcpServers.a.args[1]: Invalid input: expected string, received number'],
    [
      'a number in env',
      { mcpServers: { a: { command: 'node', env: { TOKEN: 42 } } } },
      'mcpServers.a.env.TOKEN: Invalid input: expected string, received number',
    ],
    ['an unknown field', { mcpServers: { a: { command: 'node', envFile: '.env' } } }, 'mcpServers.a: Unrecognized key: "envFile"'],
    ['an ftp url', { mcpServers: { a: { url: 'ftp://x' } } }, 'mcpServers.a.url: Invalid URL'],
    ['a blank command', { mcpServers: { a: { command: ' ' } } }, 'mcpServers.a.command: Too small: expected string to have >=1 characters'],
    ['a stdio server typed http', { mcpServers: { a: { command: 'node', type: 'http' } } }, 'mcpServers.a.type: Invalid input: expected "stdio"'],
    [
      'two bad servers',
      { mcpServers: { a: { command: 'node', args: 'x' }, b: { url: 'http://h', headers: [] } } },
      'mcpServers.a.args: Invalid input: expected array, received string; mcpServers.b.headers: Invalid input: expected record, received array',
    ],
  ])('refuses %s, naming the field and the file', (_what, value, issue) => {
    expect(() => parseMcpConfig(value, '/x/servers.json')).toThrow(`Invalid MCP configuration in /x/servers.json: ${issue}`);
  });

  it('accepts the shape MCP clients write, ignoring their other settings', () => {
    const value = {
      globalShortcut: 'Ctrl+Space',
      mcpServers: {
        files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        search: { type: 'stdio', command: 'search-mcp', env: { SEARCH_API_KEY: 'sk-search-123456' }, cwd: 'tools' },
        remote: { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer abcdefgh1234' } },
      },
    };
    expect(parseMcpConfig(value)).toEqual(value);
  });
});

describe('readMcpConfig', () => {
  it('names the file it cannot read, and the file with a bad field', async () => {
    const folder = makeTempDir('plan-execute-mcp-config-');
    await expect(readMcpConfig(join(folder, 'missing.json'))).rejects.toThrow(
      `Cannot read the MCP configuration ${join(folder, 'missing.json')}: no such file`,
    );
    writeFileSync(join(folder, 'broken.json'), '{ "mcpServers": ');
    await expect(readMcpConfig(join(folder, 'broken.json'))).rejects.toThrow(`The MCP configuration ${join(folder, 'broken.json')} is not valid JSON: `);
    writeFileSync(join(folder, 'bad.json'), JSON.stringify({ mcpServers: { a: { command: 'node', args: [1] } } }));
    await expect(readMcpConfig(join(folder, 'bad.json'))).rejects.toThrow(
      `Invalid MCP configuration in ${join(folder, 'bad.json')}: mcpServers.a.args[0]: Invalid input: expected string, received number`,
    );
  });

  it("makes a relative cwd relative to the file's folder", async () => {
    const folder = makeTempDir('plan-execute-mcp-config-');
    writeFileSync(join(folder, 'servers.json'), JSON.stringify({ mcpServers: { a: { command: 'node', cwd: 'tools' }, b: { command: 'node', cwd: '/srv' } } }));
    const config = await readMcpConfig(join(folder, 'servers.json'));
    expect(config.mcpServers).toEqual({ a: { command: 'node', cwd: join(folder, 'tools') }, b: { command: 'node', cwd: '/srv' } });
  });
});

describe('mcpConfigSecrets', () => {
  it('takes env values of 8 characters and up, URL passwords, header values and bearer credentials, secret query parameters', () => {
    const config: McpConfig = {
      mcpServers: {
        db: { command: 'pg-mcp', args: ['postgres://app:db-pass-1234@localhost/app'], env: { LEVEL: 'debug', GITHUB_PAT: 'ghp_0123456789' } },
        remote: {
          url: 'https://user:url-pass-1234@mcp.example.com/mcp?api_key=query-key-1234&page=12345678',
          headers: { Authorization: 'Bearer bearer-token-1234' },
        },
      },
    };
    expect(mcpConfigSecrets(config)).toEqual([
      'ghp_0123456789',
      'db-pass-1234',
      'Bearer bearer-token-1234',
      'bearer-token-1234',
      'url-pass-1234',
      'query-key-1234',
    ]);
  });

  it('takes a percent-encoded URL password and query key as written and decoded: a URL echoed in an error shows the first', () => {
    const config: McpConfig = { mcpServers: { remote: { url: 'https://user:p%40ss-word-12@mcp.example.com/mcp?api_key=abc%2Bdef%3Dghijkl&q=a+b' } } };
    expect(mcpConfigSecrets(config)).toEqual(['p%40ss-word-12', 'p@ss-word-12', 'abc%2Bdef%3Dghijkl', 'abc+def=ghijkl']);
  });
});

describe('loadMcpTools with a stdio server', { timeout: 60_000 }, () => {
  let mcp: McpTools;
  let serverPid = 0;
  beforeAll(async () => {
    mcp = await loadMcpTools({ config: { mcpServers: { releases: releaseServer() } }, existingToolNames: ['readFile'] });
    serverPid = Number(textOf(await run(mcp.tools, 'releases_server_pid')));
  });
  afterAll(() => mcp?.disconnect());

  it('names the tools <server>_<tool> and returns the env secret to redact', () => {
    expect(mcp.servers).toEqual({ releases: ['releases_lookup_release', 'releases_server_pid', 'releases_long_notes'] });
    expect(Object.keys(mcp.tools)).toEqual(['releases_lookup_release', 'releases_server_pid', 'releases_long_notes']);
    expect(mcp.redact).toEqual([SECRET]);
    expect(isAlive(serverPid)).toBe(true);
  });

  it('answers through the real server, with the env value it was given and the secret replaced', async () => {
    expect(await run(mcp.tools, 'releases_lookup_release', { version: '1.4.3' })).toEqual({ content: [{ type: 'text', text: REDACTED_ANSWER }] });
  });

  it('is called by the executor of a PlanAndExecute run: the step output is the server answer, and no event or result holds the secret', async () => {
    const lookup = plan([step('lookup', [], { description: 'Look up release 1.4.3', toolHint: 'releases_lookup_release' })]);
    // The synthesizer (the planner's model) repeats the token, as a model that knew it might: the run's `redact` catches it.
    const planner = createScriptedModel([scriptPlan(lookup), text(`Release 1.4.3 is on beta, signed with ${SECRET}.`)], { name: 'planner' });
    const answerWithToolResult = ({ prompt }: ScriptedCall) => scriptStepOutcome({ success: true, output: lastToolResult(prompt), error: null });
    const executor = createScriptedModel([toolCall('releases_lookup_release', { version: '1.4.3' }), answerWithToolResult], { name: 'executor' });
    const agent = new PlanAndExecute({ planner, executor, tools: mcp.tools, redact: mcp.redact });
    const { events, onEvent } = recordEvents();

    const result = await agent.run('Which channel is release 1.4.3 on?', { onEvent });

    expect(result.status).toBe('completed');
    expect(result.plan.map((tracked) => [tracked.id, tracked.status, tracked.output])).toEqual([['lookup', 'done', REDACTED_ANSWER]]);
    expect(result.steps.map((attempt) => attempt.toolCalls)).toEqual([1]);
    expect(result.finalOutput).toBe('Release 1.4.3 is on beta, signed with [REDACTED].');
    expect(JSON.stringify(executor.calls)).not.toContain(SECRET);
    expect(JSON.stringify([events, result])).not.toContain(SECRET);
    // The planner was shown the MCP tools with the servers' descriptions.
    expect(JSON.stringify(planner.calls[0])).toContain('- releases_lookup_release: Look up the channel and signing token of a release version');
  });

  it("cuts an MCP tool's long result to the executor's maxToolResultChars, like any tool's", async () => {
    const model = createScriptedModel([toolCall('releases_long_notes', { lines: 500 }), scriptStepOutcome({ success: true, output: 'read', error: null })]);
    const agent = createExecutorAgent({ model, tools: mcp.tools, maxToolResultChars: 60, structuredOutput: 'native' });
    const request = {
      task: 'Read the notes',
      step: step('notes'),
      dependencies: [],
      attempt: 1,
      previousError: null,
      maxIterations: 3,
      abortSignal: new AbortController().signal,
    };

    await executorPort(agent).execute(request);

    const full = JSON.stringify({ content: [{ type: 'text', text: Array.from({ length: 500 }, (_, index) => `note ${index + 1}`).join('\n') }] });
    const count = (value: number) => value.toLocaleString('en-US');
    expect(lastToolResult(model.calls[1]!)).toBe(`${full.slice(0, 60)}\n…[cut ${count(full.length - 60)} of ${count(full.length)} characters]`);
  });

  it('stops the server process on disconnect, and a second disconnect is a no-op', async () => {
    await mcp.disconnect();
    expect(await isGone(serverPid)).toBe(true);
    await expect(mcp.disconnect()).resolves.toBeUndefined();
  });
});

describe('loadMcpTools failures', { timeout: 60_000 }, () => {
  it('names every server that did not start', async () => {
    // `broken` exits on the client's first message, so the connection closes while the client waits for an answer.
    const broken = { command: process.execPath, args: ['-e', 'process.stdin.once("data", () => process.exit(3))'] };
    const config = { mcpServers: { broken, missing: { command: '/nonexistent/mcp-server' } } };
    await expect(loadMcpTools({ config })).rejects.toThrow(
      'MCP server "broken" did not start: SdkError: Connection closed; MCP server "missing" did not start: Error: spawn /nonexistent/mcp-server ENOENT',
    );
  });

  it('gives up on a server that does not answer within startupTimeoutMs, and kills it', async () => {
    const pidFile = join(makeTempDir('plan-execute-mcp-silent-'), 'pid');
    const silent = {
      command: process.execPath,
      args: ['-e', 'require("fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)', pidFile],
    };
    const folder = makeTempDir('plan-execute-mcp-config-');
    writeFileSync(join(folder, 'servers.json'), JSON.stringify({ mcpServers: { silent } }));
    // 3 s: the server must have started (written its pid) before the bound; node starts in ~0.5 s on two loaded cores.
    await expect(loadMcpTools({ config: join(folder, 'servers.json'), startupTimeoutMs: 3_000 })).rejects.toThrow(
      `MCP server "silent" (in ${join(folder, 'servers.json')}) did not start within 3000 ms`,
    );
    expect(existsSync(pidFile)).toBe(true);
    expect(await isGone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('refuses a tool name another tool has, and stops the server it started', async () => {
    const pidFile = join(makeTempDir('plan-execute-mcp-clash-'), 'pid');
    const config = { mcpServers: { releases: releaseServer({ MCP_PID_FILE: pidFile }) } };
    await expect(loadMcpTools({ config, existingToolNames: ['readFile', 'releases_server_pid'] })).rejects.toThrow(
      'MCP tool "server_pid" of server "releases" would be named releases_server_pid, which another tool has: rename the server in the MCP configuration',
    );
    expect(await isGone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it.each([
    [{ config: 'x.json', requestTimeoutMs: 0 }, 'Expected `requestTimeoutMs` to be an integer from 1 and up, got 0 (number)'],
    [{ config: 'x.json', existingToolNames: 'readFile' }, 'Expected `existingToolNames` to be an array of strings'],
    [{ config: null }, 'Expected `config` to be a file path or an MCP servers configuration, got null'],
  ])('checks its options before starting anything: %j', async (options, message) => {
    await expect(loadMcpTools(options as never)).rejects.toThrow(message);
  });
});

describe('loadMcpTools with an HTTP server', { timeout: 60_000 }, () => {
  it('sends the configured headers and redacts their values', async () => {
    const http = await startMcpHttpServer();
    const mcp = await loadMcpTools({ config: { mcpServers: { remote: { url: http.url, headers: { Authorization: 'Bearer hx-secret-0123456789' } } } } });
    try {
      expect(mcp.redact).toEqual(['Bearer hx-secret-0123456789', 'hx-secret-0123456789']);
      expect(textOf(await run(mcp.tools, 'remote_whoami'))).toBe('authorized by [REDACTED]');
    } finally {
      await mcp.disconnect();
      await http.close();
    }
  });
});

describe('createDefaultAgents with an MCP configuration (the playground)', { timeout: 60_000 }, () => {
  let serverPid = 0;
  afterEach(() => {
    // The playground's servers live as long as its process; this test's one is stopped here.
    if (serverPid && isAlive(serverPid)) process.kill(serverPid, 'SIGTERM');
  });

  it('gives the executor the MCP tools next to the workspace tools on first use, and tries again after a failure', async () => {
    const folder = makeTempDir('plan-execute-mcp-playground-');
    const configPath = join(folder, 'servers.json');
    const agents = createDefaultAgents({ env: {}, workspaceDir: join(folder, 'workspace'), mcpConfigPath: configPath });
    await expect(agents.executor.listTools()).rejects.toThrow(`Cannot read the MCP configuration ${configPath}: no such file`);

    writeFileSync(configPath, JSON.stringify({ mcpServers: { releases: releaseServer() } }));
    const tools = (await agents.executor.listTools()) as Record<string, unknown>;
    serverPid = Number(textOf(await run(tools, 'releases_server_pid')));

    expect(Object.keys(tools).filter((name) => name.startsWith('releases_'))).toEqual([
      'releases_lookup_release',
      'releases_server_pid',
      'releases_long_notes',
    ]);
    expect(Object.keys(tools)).toEqual(expect.arrayContaining(['readFile', 'writeFile', 'listFiles']));
    expect(textOf(await run(tools, 'releases_lookup_release', { version: '1.4.3' }))).toBe(REDACTED_ANSWER);
    // Later uses share the servers started by the first.
    const again = (await agents.executor.listTools()) as Record<string, unknown>;
    expect(Number(textOf(await run(again, 'releases_server_pid')))).toBe(serverPid);
  });

  it('starts no server for a blank path', async () => {
    const folder = makeTempDir('plan-execute-mcp-playground-');
    mkdirSync(join(folder, 'workspace'));
    const agents = createDefaultAgents({ env: {}, workspaceDir: join(folder, 'workspace'), mcpConfigPath: '  ' });
    const names = Object.keys((await agents.executor.listTools()) as object);
    expect(names.filter((name) => !['readFile', 'writeFile', 'listFiles', 'runCommand'].includes(name))).toEqual([]);
  });
});
