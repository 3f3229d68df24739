import { PlanExecuteError } from '../../engine/errors.ts';
import type { ReleaseEnv, ReleaseRunResult } from '../../examples/release-checklist/index.ts';
import { parseCommandLine, parseInteger, singlePositional, UsageError } from '../args.ts';
import { EXIT, exitCodeForStatus } from '../exit-codes.ts';
import { trapInterrupt } from '../interrupt.ts';
import { writeLine, type CliIo } from '../io.ts';
import { colorsFor } from '../output/colors.ts';
import { formatReleaseSummary } from '../output/release-summary.ts';
import { createRunView, outputMode, type OutputMode } from '../output/run-view.ts';
import { RELEASE_USAGE } from '../usage.ts';

const OPTIONS = {
  env: { type: 'string' },
  services: { type: 'string' },
  concurrency: { type: 'string' },
  latency: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ENVS: readonly ReleaseEnv[] = ['staging', 'production'];

/** One release to run: what the command line asked for, checked. */
export interface ReleaseRequest {
  readonly version: string;
  readonly env: ReleaseEnv;
  readonly services?: readonly string[];
  readonly concurrency?: number;
  /** Simulated latency of every pipeline call. */
  readonly latencyMs: number;
}

/** The exit code of a release: 0 succeeded; otherwise that of the engine's status (2 aborted, 1 failed, 130 cancelled). */
export function releaseExitCode(release: ReleaseRunResult): number {
  return release.status === 'succeeded' ? EXIT.ok : exitCodeForStatus(release.run.status);
}

/**
 * Runs one release offline (the release-checklist example on its deterministic roles), showing
 * progress in `mode`, and prints its outcome. Ctrl-C cancels it. Returns the release and
 * whether it was interrupted.
 */
export async function performRelease(request: ReleaseRequest, mode: OutputMode, io: CliIo): Promise<{ release: ReleaseRunResult; interrupted: boolean }> {
  // Imported here so that `--help` and usage errors do not wait for Mastra to load.
  const { createReleaseAdapters, runRelease } = await import('../../examples/release-checklist/index.ts');
  const view = createRunView(mode, io);
  const controller = new AbortController();
  const interrupt = trapInterrupt(io, controller);
  try {
    const release = await runRelease(request.version, request.env, {
      ...(request.services ? { services: request.services } : {}),
      ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
      adapters: createReleaseAdapters({ latencyMs: request.latencyMs }),
      onEvent: view.onEvent,
      abortSignal: controller.signal,
    });
    view.close();
    if (mode !== 'json') writeLine(io.stdout, `\n${formatReleaseSummary(request, release, colorsFor(io.stdout, io.env))}`);
    return { release, interrupted: interrupt.interrupted };
  } catch (error) {
    // runRelease checks its arguments before anything runs.
    if (PlanExecuteError.isInstance(error) && error.code === 'INVALID_OPTIONS') throw new UsageError(error.message, RELEASE_USAGE);
    throw error;
  } finally {
    interrupt.dispose();
    view.close();
  }
}

function parseServices(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const services = raw.split(',').map((service) => service.trim());
  if (services.some((service) => service === ''))
    throw new UsageError(`--services must be a comma-separated list of names, got ${JSON.stringify(raw)}`, RELEASE_USAGE);
  return services;
}

function parseEnv(raw: string | undefined): ReleaseEnv {
  if (raw === undefined) throw new UsageError('missing --env (staging or production)', RELEASE_USAGE);
  const env = ENVS.find((candidate) => candidate === raw);
  if (!env) throw new UsageError(`--env must be staging or production, got ${JSON.stringify(raw)}`, RELEASE_USAGE);
  return env;
}

/** `plan-execute release <version> --env staging|production [--services web,api]`. */
export async function releaseCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, RELEASE_USAGE);
  if (values.help) {
    writeLine(io.stdout, RELEASE_USAGE);
    return EXIT.ok;
  }
  const version = singlePositional(positionals, 'the version', RELEASE_USAGE);
  const services = parseServices(values.services);
  const concurrency = values.concurrency === undefined ? undefined : parseInteger('--concurrency', values.concurrency, 1, RELEASE_USAGE);
  const request: ReleaseRequest = {
    version,
    env: parseEnv(values.env),
    latencyMs: values.latency === undefined ? 0 : parseInteger('--latency', values.latency, 0, RELEASE_USAGE),
    ...(services ? { services } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
  };
  const mode = outputMode(values.json ?? false, io);
  const { release, interrupted } = await performRelease(request, mode, io);
  if (mode === 'json') writeLine(io.stdout, JSON.stringify(release, null, 2));
  return interrupted ? EXIT.interrupted : releaseExitCode(release);
}
