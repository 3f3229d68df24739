import type { ReleaseRunResult } from '../../examples/release-checklist/index.ts';
import { parseCommandLine, parseInteger, UsageError } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { writeLine, type CliIo } from '../io.ts';
import { colorsFor } from '../output/colors.ts';
import { outputMode } from '../output/run-view.ts';
import { DEMO_LIVE_LATENCY_MS, DEMO_USAGE } from '../usage.ts';
import { performRelease, type ReleaseRequest } from './release.ts';

const OPTIONS = {
  latency: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The three paths of the release example the demo walks through, in order. */
export const DEMO_RELEASES = [
  { version: '1.4.2', story: 'every check passes' },
  { version: '1.4.3', story: 'the smoke test fails with missing_migration; the replanner inserts a fix' },
  { version: '1.5.0', story: 'the health check fails after the deploy; the replanner aborts the release' },
] as const;

/**
 * `plan-execute demo`: the release example offline, on its three paths one after another, each
 * with its live checklist and outcome. Exits 0 once the three have ended, 130 on Ctrl-C (the
 * runs not started yet are skipped).
 */
export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS, DEMO_USAGE);
  if (values.help) {
    writeLine(io.stdout, DEMO_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, DEMO_USAGE);
  const mode = outputMode(values.json ?? false, io);
  const latencyMs = values.latency === undefined ? (mode === 'live' ? DEMO_LIVE_LATENCY_MS : 0) : parseInteger('--latency', values.latency, 0, DEMO_USAGE);
  const colors = colorsFor(io.stdout, io.env);
  const releases: ReleaseRunResult[] = [];
  for (const [index, { version, story }] of DEMO_RELEASES.entries()) {
    const request: ReleaseRequest = { version, env: 'staging', latencyMs };
    if (mode !== 'json')
      writeLine(io.stdout, `${index > 0 ? '\n' : ''}${colors.bold(`== ${index + 1}/${DEMO_RELEASES.length} release ${version} to staging: ${story} ==`)}`);
    const { release, interrupted } = await performRelease(request, mode, io);
    releases.push(release);
    if (interrupted) break;
  }
  if (mode === 'json') writeLine(io.stdout, JSON.stringify(releases, null, 2));
  return releases.some((release) => release.run.status === 'cancelled') ? EXIT.interrupted : EXIT.ok;
}
