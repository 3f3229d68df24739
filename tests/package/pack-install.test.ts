import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, runAdoptionReport } from '../../src/examples/adoption-report/index.ts';
import { CLI_COMMAND, cliEnv, type CliOutcome } from '../cli/helpers/run-cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BIN = (name: string) => join(ROOT, 'node_modules/.bin', name);
const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const RELEASE_ARGS = ['release', '1.4.3', '--env', 'staging', '--json'];
const RELEASE_STEPS = ['build:true', 'smoke-web:false', 'fix-web:true', 'smoke-web:true', 'deploy-web:true', 'verify-web:true'];

/** Runs a command (no shell) and collects its exit code and output, as tests/cli/helpers/run-cli.ts does for the CLI. */
function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(command, args, { env: childEnv(), timeout: 240_000, maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/**
 * The environment of every child: this Node (22) first on PATH, so npm and `#!/usr/bin/env node`
 * run on it; no model variables; none of the npm_* settings `npx vitest` passes down, which would
 * steer the nested npm; and no TypeScript in Node, so that loading any `.ts` file fails as on Node 20.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = cliEnv({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NODE_OPTIONS: '--no-experimental-strip-types' });
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  return env;
}

/** Every file a build of src/ holds: each module's .js and .d.ts, and each data file as it is. */
async function expectedDistFiles(): Promise<string[]> {
  const sources = (await readdir(join(ROOT, 'src'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  return sources.flatMap((entry) => {
    const path = `dist/${relative(join(ROOT, 'src'), join(entry.parentPath, entry.name))}`;
    return path.endsWith('.ts') ? [path.replace(/\.ts$/, '.js'), path.replace(/\.ts$/, '.d.ts')] : [path];
  });
}

/** A strict NodeNext project of one file, as an app that type-checks against the package would have. */
const tsconfig = (file: string) =>
  JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: [file],
  });

/** A wrong type: it fails only if the types resolve, since an unresolved import would make PlanRunResult `any`. */
const WRONG_TS = "import type { PlanRunResult } from 'mastra-plan-execute';\nexport const status: PlanRunResult['status'] = 'finished';\n";

const releaseSteps = (stdout: string) => {
  const release = JSON.parse(stdout) as { status: string; replanned: boolean; results: Array<{ stepId: string; success: boolean }> };
  return { status: release.status, replanned: release.replanned, steps: release.results.map((result) => `${result.stepId}:${result.success}`) };
};

let temp: string;
let app: string;
let packed: { files: Array<{ path: string }> };
let install: CliOutcome;
let attw: CliOutcome;
let publint: CliOutcome;
let appRun: CliOutcome;
let binRelease: CliOutcome;
let binVersion: CliOutcome;
let typesOk: CliOutcome;
let typesWrong: CliOutcome;
let inRepoRelease: CliOutcome;
let inRepoReport: string;

/** Writes the consumer app: package.json, the script that imports every entry, and the type-check projects. */
async function writeApp(): Promise<void> {
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', private: true, type: 'module' }));
  await Promise.all(['app.mjs', 'consumer.ts'].map((name) => copyFile(join(FIXTURES, name), join(app, name))));
  await writeFile(join(app, 'wrong.ts'), WRONG_TS);
  await writeFile(join(app, 'tsconfig.json'), tsconfig('consumer.ts'));
  await writeFile(join(app, 'tsconfig.wrong.json'), tsconfig('wrong.ts'));
}

// The slow part, once: pack (its `prepack` builds dist/ in the repository, which is gitignored), install
// the tarball into a new app, then run everything the tests check; what does not depend on each other runs at once.
beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'plan-execute-pack-'));
  app = join(temp, 'app');
  const inRepo = run(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...RELEASE_ARGS], { cwd: temp, env: cliEnv() });
  const pack = await run('npm', ['pack', '--json', '--pack-destination', temp], { cwd: ROOT });
  expect(pack.code, pack.stderr).toBe(0);
  [packed] = JSON.parse(pack.stdout);
  await writeApp();
  const tarball = join(temp, `mastra-plan-execute-${version}.tgz`);
  [install, attw, publint] = await Promise.all([
    run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app }),
    // A local tarball and no DefinitelyTyped lookup, so nothing leaves the machine.
    run(BIN('attw'), [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'json'], { cwd: temp }),
    run(BIN('publint'), ['run', tarball, '--strict'], { cwd: temp }),
  ]);
  expect([install.code, install.stderr]).toEqual([0, '']);
  const bin = join(app, 'node_modules/.bin/plan-execute');
  [appRun, binRelease, binVersion, typesOk, typesWrong, inRepoRelease] = await Promise.all([
    run(process.execPath, ['app.mjs'], { cwd: app }),
    run(bin, RELEASE_ARGS, { cwd: app }),
    run(bin, ['--version'], { cwd: app }),
    run(BIN('tsc'), ['-p', 'tsconfig.json'], { cwd: app }),
    run(BIN('tsc'), ['-p', 'tsconfig.wrong.json'], { cwd: app }),
    inRepo,
  ]);
  // The report the sources write, to compare with the installed package's.
  inRepoReport = await readFile((await runAdoptionReport({ outputDir: join(temp, 'in-repo-report') })).reportPath, 'utf8');
}, 300_000);

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe('the packed package, installed into a new app', () => {
  it('ships the build, the README, the licence and the changelog, and no sources, tests or benchmarks', async () => {
    const files = packed.files.map((file) => file.path);
    expect(files.sort()).toEqual(['.env.example', 'CHANGELOG.md', 'LICENSE', 'README.md', 'package.json', ...(await expectedDistFiles())].sort());
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/examples/adoption-report/corpus/NOTICE.txt']));
    expect(files.filter((path) => /^(src|tests|bench|scripts|bin)\//.test(path) || (path.endsWith('.ts') && !path.endsWith('.d.ts')))).toEqual([]);
  });

  it('installs quietly, with no tsx anywhere in the app', async () => {
    const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/mastra-plan-execute']?.version).toBe(version);
    expect(Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/tsx$/.test(path))).toEqual([]);
    await expect(stat(join(app, 'node_modules/tsx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs in plain Node 22 from every entry point, the scripted model and the bundled corpus included', async () => {
    expect(process.version).toMatch(/^v22\./);
    expect([appRun.code, appRun.stderr]).toEqual([0, '']);
    const summary = JSON.parse(appRun.stdout);
    const dist = join(app, 'node_modules/mastra-plan-execute/dist');
    const entries = ['', 'testing/', 'fleet/', 'examples/release-checklist/', 'examples/adoption-report/', 'examples/python-scaffold/'];
    expect(summary.resolved).toEqual(entries.map((entry) => `file://${dist}/${entry}index.js`));
    expect(summary.greet).toEqual({ status: 'completed', finalOutput: 'Hello from the packed package.', plan: [['greet', 'done', 'hello']] });
    expect(summary.release).toEqual({ status: 'succeeded', replanned: true, steps: RELEASE_STEPS });
    const reportSteps = ['adoption', 'use-cases', 'barriers', 'governance', 'cost', 'practices', 'write'].map((id) => `${id}:done`);
    expect(summary.report).toEqual({ status: 'completed', reportPath: join(app, 'report-out/report.md'), steps: reportSteps });
    // The search ran over the corpus shipped in dist/, so the report is the one the sources write.
    expect(await readFile(summary.report.reportPath, 'utf8')).toBe(inRepoReport);
    const documents = (await loadCorpus()).map((document) => document.id);
    expect(summary.corpus).toEqual({ dir: `${dist}/examples/adoption-report/corpus/`, documents });
    expect(summary.scaffold).toEqual({ runPythonScaffold: 'function', commands: ['python3', '.venv/bin/python', 'mkdir', 'ls'] });
    expect(summary.invalidOptions).toEqual({ code: 'INVALID_OPTIONS', isCode: true, isClass: true });
    expect(summary.fleet).toEqual({
      defaults: { schema: 'plan_execute_queue', heartbeatSeconds: 10, monitorIntervalSeconds: 2, pollingIntervalSeconds: 0.5 },
      startWorker: 'function',
    });
  });

  it('installs the plan-execute bin, which releases as the in-repo CLI does and prints the version', async () => {
    const bin = join(app, 'node_modules/mastra-plan-execute/dist/cli.js');
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(bin)).mode & 0o111).toBe(0o111);
    expect([binRelease.code, binRelease.stderr]).toEqual([0, '']);
    expect(releaseSteps(binRelease.stdout)).toEqual({ status: 'succeeded', replanned: true, steps: RELEASE_STEPS });
    expect([inRepoRelease.code, inRepoRelease.stderr]).toEqual([0, '']);
    expect(JSON.parse(binRelease.stdout).results).toEqual(JSON.parse(inRepoRelease.stdout).results);
    expect(binVersion).toEqual({ code: 0, signal: null, stdout: `${version}\n`, stderr: '' });
  });

  it('type-checks a consumer against the packed .d.ts, and reports a wrong type there', () => {
    expect(typesOk).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    expect([typesWrong.code, typesWrong.stdout]).toEqual([1, `wrong.ts(2,14): error TS2322: Type '"finished"' is not assignable to type 'RunStatus'.\n`]);
  });

  it('passes publint and Are the Types Wrong? (ESM-only profile) with no problem', () => {
    expect([publint.code, publint.stderr]).toEqual([0, '']);
    expect(publint.stdout).toContain('All good!');
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
    const { problems } = JSON.parse(attw.stdout) as { problems: Record<string, Array<{ resolutionKind?: string }>> };
    // The JSON lists every resolution mode; an ESM-only package is not meant for CommonJS `require` (node16-cjs) or pre-exports (node10) resolution.
    const esmProblems = Object.values(problems)
      .flat()
      .filter((problem) => problem.resolutionKind !== 'node10' && problem.resolutionKind !== 'node16-cjs');
    expect(esmProblems).toEqual([]);
  });
});
