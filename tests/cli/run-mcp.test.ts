import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { keepingCtrlC } from '../../src/cli/run-mcp.ts';
import { RUN_USAGE } from '../../src/cli/usage.ts';
import { isAlive, isGone } from '../helpers/processes.ts';
import { normalise, runCli, spawnCli } from './helpers/run-cli.ts';
import { startLoopbackModel, type LoopbackModel, type LoopbackScript } from './helpers/loopback-model.ts';
import { makeTempDir, removeTempDirs } from './helpers/temp-dir.ts';
import { memoryIo } from './helpers/memory-io.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('../fixtures/mcp-release-server.mjs', import.meta.url));
/** The token the configuration gives the MCP server; it echoes it, and the scripted models repeat it. */
const SECRET = 'tok-cli-secret-0123456789';

const LOOKUP_PLAN = {
  goal: 'Look up release 1.4.3',
  rationale: null,
  steps: [
    {
      id: 'lookup',
      description: 'Look up release 1.4.3 on the release server',
      expectedOutput: 'its channel',
      dependsOn: [],
      toolHint: 'releases_lookup_release',
    },
  ],
};

/** The executor asks the server for its pid, then looks the release up, then reports what it read, token included, as a careless model might. */
const LOOKUP: LoopbackScript = {
  planner: [{ json: LOOKUP_PLAN }],
  executor: [
    { toolCall: { name: 'releases_server_pid', args: {} } },
    { toolCall: { name: 'releases_lookup_release', args: { version: '1.4.3' } } },
    { json: { success: true, output: `release 1.4.3: channel beta, signed with ${SECRET}`, error: null } },
  ],
  synthesizer: [{ text: `Release 1.4.3 is on beta (token ${SECRET}).` }],
};

let model: LoopbackModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  removeTempDirs();
});

/** A folder with servers.json starting the release server with `env`, and a workspace. */
function mcpFolder(
  servers: object = { releases: { command: process.execPath, args: [SERVER_SCRIPT], env: { RELEASE_CHANNEL: 'beta', RELEASE_TOKEN: SECRET } } },
) {
  const folder = realpathSync(makeTempDir('plan-execute-run-mcp-'));
  writeFileSync(join(folder, 'servers.json'), JSON.stringify({ mcpServers: servers }));
  return { folder, config: join(folder, 'servers.json'), workspace: join(folder, 'workspace') };
}

/** The tool results the executor model was sent, as JSON text. */
const toolResults = (loopback: LoopbackModel) =>
  JSON.stringify(
    loopback.received.filter((request) => request.role === 'executor').flatMap((request) => request.body.messages.filter((message) => message.role === 'tool')),
  );

/** The pid the server reported through `releases_server_pid`, read from what the executor model was sent. */
function serverPid(loopback: LoopbackModel): number {
  const match = /"type":"text","text":"(\d+)"/.exec(toolResults(loopback).replaceAll('\\"', '"'));
  if (!match) throw new Error('the executor was sent no pid');
  return Number(match[1]);
}

describe('plan-execute run --mcp', { timeout: 90_000 }, () => {
  it('gives the executor the MCP tools, which it calls; the server env secret is redacted; the server is stopped at the end', async () => {
    model = await startLoopbackModel(LOOKUP);
    const { folder, config, workspace } = mcpFolder();
    // Bounded by the test's timeout rather than 30 s: on two loaded cores this run alone takes about that.
    const { code, stdout, stderr } = await runCli(['run', 'Look up release 1.4.3', '--mcp', 'servers.json', '--workspace', 'workspace'], {
      cwd: folder,
      env: { OPENAI_BASE_URL: model.baseUrl },
      timeoutMs: 80_000,
    });

    expect(stderr).toBe('');
    expect(normalise(stdout, workspace)).toBe(`executor tools: readFile, writeFile, listFiles in <workspace>
MCP tools: releases_lookup_release, releases_server_pid, releases_long_notes (from ${config})
run <id>: Look up release 1.4.3
  plan (1 step): Look up release 1.4.3
    - lookup: Look up release 1.4.3 on the release server
  > lookup started
  [x] lookup: release 1.4.3: channel beta, signed with [REDACTED]
  synthesis done
run completed

status: completed
final plan:
  [x] lookup: Look up release 1.4.3 on the release server
answer: Release 1.4.3 is on beta (token [REDACTED]).
tokens: 75 (planner 15, executor 45, synthesizer 15); 1 step attempt in <n> ms
`);
    expect(code).toBe(0);
    // The real server answered, with the channel from its env and the token replaced before the model saw it.
    expect(toolResults(model)).toContain('release 1.4.3: channel beta, signed with [REDACTED]');
    expect(JSON.stringify(model.received)).not.toContain(SECRET);
    expect(await isGone(serverPid(model))).toBe(true);
  });

  it('on Ctrl-C cancels the run, prints the partial result, exits 130 and stops the server', async () => {
    model = await startLoopbackModel({ ...LOOKUP, executor: [{ toolCall: { name: 'releases_server_pid', args: {} } }, 'hang'] });
    const { folder } = mcpFolder();
    const child = spawnCli(['run', 'Look up release 1.4.3', '--mcp', 'servers.json', '--workspace', 'workspace'], {
      cwd: folder,
      env: { OPENAI_BASE_URL: model.baseUrl },
    });
    let stdout = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    // The second executor request carries the pid; it then hangs.
    for (let waited = 0; model.requests.filter((role) => role === 'executor').length < 2 && waited < 60_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pid = serverPid(model);
    expect(isAlive(pid)).toBe(true);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(stdout).toContain('  > lookup started\nrun cancelled: The run was cancelled\n\nstatus: cancelled\n');
    expect(await isGone(pid)).toBe(true);
  });
});

/** An OpenAI-compatible URL nothing listens on: these runs end before any model call. */
const LOOPBACK_ENV = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };

const usageError = (message: string) => `plan-execute run: ${message}\nUsage: plan-execute run "<task>" [options]\nRun 'plan-execute run --help' for more.\n`;

describe('plan-execute run --mcp with a file or server it cannot use', { timeout: 60_000 }, () => {
  it.each([
    [['--mcp', 'a.json', '--mcp', 'b.json'], '--mcp takes one file, which may list several servers; got 2'],
    [['--mcp='], '--mcp must name a JSON file, got ""'],
  ])('%j is a usage error, before anything starts', async (flags, message) => {
    const { io, output } = memoryIo({ env: LOOPBACK_ENV, cwd: makeTempDir('plan-execute-run-mcp-') });
    expect(await main(['run', 'Look it up', ...flags], io)).toBe(64);
    expect(output.stderr).toBe(usageError(message));
  });

  it('exits 64 naming the missing file, the bad field, the server that did not start', async () => {
    const { folder, config } = mcpFolder({
      releases: { command: process.execPath, args: [SERVER_SCRIPT] },
      broken: { command: '/nonexistent/mcp-server', args: [] },
    });
    const cases: Array<[string, string]> = [
      ['missing.json', `--mcp: Cannot read the MCP configuration ${join(folder, 'missing.json')}: no such file`],
      ['servers.json', `--mcp: MCP server "broken" (in ${config}) did not start: Error: spawn /nonexistent/mcp-server ENOENT`],
    ];
    writeFileSync(join(folder, 'bad.json'), JSON.stringify({ mcpServers: { releases: { command: 'node', env: { TOKEN: 1 } } } }));
    cases.push([
      'bad.json',
      `--mcp: Invalid MCP configuration in ${join(folder, 'bad.json')}: mcpServers.releases.env.TOKEN: Invalid input: expected string, received number`,
    ]);
    for (const [file, message] of cases) {
      const { io, output } = memoryIo({ env: LOOPBACK_ENV, cwd: folder });
      expect(await main(['run', 'Look it up', '--mcp', file, '--workspace', 'workspace'], io)).toBe(64);
      expect(output.stderr).toBe(usageError(message));
    }
  });

  it('takes back Ctrl-C from what starting the servers installs (exit-hook), keeping its SIGTERM handling', async () => {
    const added = { SIGINT: () => {}, exit: () => {}, SIGTERM: () => {} };
    const counts = () => [process.listenerCount('SIGINT'), process.listenerCount('exit'), process.listenerCount('SIGTERM')];
    const [sigint, exit, sigterm] = counts();
    const loaded = await keepingCtrlC(async () => {
      for (const [event, listener] of Object.entries(added)) process.on(event, listener);
      return 'servers';
    });
    expect(loaded).toBe('servers');
    expect(counts()).toEqual([sigint, exit, sigterm! + 1]);
    process.off('SIGTERM', added.SIGTERM);
  });

  it('documents --mcp in run --help', () => {
    expect(RUN_USAGE).toContain('  --mcp <file>          Also give the executor the tools of the MCP servers in <file>');
  });
});
