import { setTimeout as sleep } from 'node:timers/promises';
import { expectInteger } from '../../engine/option-checks.ts';
import type { BuildInfo, Deployment, FixReport, HealthReport, ReleaseEnv, SmokeReport } from './schemas.ts';

/** A failure the canned integrations report for one version. */
export interface CannedFailure {
  /** The adapter that reports it. */
  readonly stage: 'smoke' | 'verify';
  /** The machine-readable pattern, as a real tool would tag it. */
  readonly pattern: string;
  /** The human detail after the pattern. */
  readonly detail: string;
  /** The services it hits. */
  readonly services: readonly string[] | 'all';
  /** Whether `applyFix(version, service, pattern)` clears it. */
  readonly fixable: boolean;
}

/**
 * The versions the canned adapters know (commit and failures); any other version has no CI build.
 * 1.4.2 is green; 1.4.3's web smoke suite fails with `missing_migration` until the fix is applied to
 * web (only web's suite touches the new column); 1.5.0's health checks all fail after the deploy.
 */
export const CANNED_RELEASES: Readonly<Record<string, { readonly sha: string; readonly failures: readonly CannedFailure[] }>> = Object.freeze({
  '1.4.2': { sha: '9e1c4b7', failures: [] },
  '1.4.3': {
    sha: '3f9c2e1',
    failures: [{ stage: 'smoke', pattern: 'missing_migration', detail: 'column invoices.status does not exist', services: ['web'], fixable: true }],
  },
  '1.5.0': {
    sha: 'b04d6aa',
    failures: [{ stage: 'verify', pattern: 'downstream_db_unreachable', detail: 'orders-db did not answer within 5 s', services: 'all', fixable: false }],
  },
});

/** Per-call options every adapter method takes, as a real client would: the signal cancels the call. */
export interface AdapterCallOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** One adapter call: its arguments in order, and when it started and returned (epoch ms; null while running or when cancelled). */
export interface AdapterCall {
  readonly operation: 'fetchBuild' | 'runSmoke' | 'applyFix' | 'deploy' | 'checkHealth';
  readonly args: readonly string[];
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

const BRAND = Symbol.for('mastra-plan-execute.release-adapters');

/** The four integrations of one run and what they did; create one set per run. */
export interface ReleaseAdapters {
  readonly [BRAND]: true;
  /** CI: the build of a version; `status: 'not_found'` (never a throw) for a version CI does not know. */
  readonly ci: { fetchBuild(version: string, options?: AdapterCallOptions): Promise<BuildInfo> };
  /** The smoke runner, which also applies known remedies; after `applyFix` that service's suite passes the pattern. */
  readonly smoke: {
    run(version: string, service: string, options?: AdapterCallOptions): Promise<SmokeReport>;
    applyFix(version: string, service: string, fix: string, options?: AdapterCallOptions): Promise<FixReport>;
  };
  /** The deployment system. */
  readonly deployer: { deploy(version: string, service: string, env: ReleaseEnv, options?: AdapterCallOptions): Promise<Deployment> };
  /** The post-deploy health checker (the service must have been deployed). */
  readonly verifier: { checkHealth(version: string, service: string, options?: AdapterCallOptions): Promise<HealthReport> };
  /** Every call, in start order. */
  readonly calls: readonly AdapterCall[];
  /** Every fix applied, in order. */
  readonly appliedFixes: readonly { readonly version: string; readonly service: string; readonly fix: string }[];
  /** Every deployment made, in order. */
  readonly deployments: readonly (Deployment & { readonly version: string; readonly service: string; readonly env: ReleaseEnv })[];
}

/** Options of {@link createReleaseAdapters}. */
export interface ReleaseAdapterOptions {
  /** Simulated latency of every call, in ms. @default 0 */
  readonly latencyMs?: number;
  /** What CI and the test systems know, per version. @default CANNED_RELEASES */
  readonly releases?: typeof CANNED_RELEASES;
}

/** Whether `value` came from {@link createReleaseAdapters}. */
export function isReleaseAdapters(value: unknown): value is ReleaseAdapters {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

type Records = { calls: AdapterCall[]; appliedFixes: ReleaseAdapters['appliedFixes'][number][]; deployments: ReleaseAdapters['deployments'][number][] };

/** One run's records, and `track`: log a call, wait out the latency (cancellable), then do its work. */
function recorder(latencyMs: number) {
  const records: Records = { calls: [], appliedFixes: [], deployments: [] };
  const track = async <T>(operation: AdapterCall['operation'], args: string[], options: AdapterCallOptions | undefined, work: () => T): Promise<T> => {
    const index = records.calls.push({ operation, args, startedAt: Date.now(), finishedAt: null }) - 1;
    const signal = options?.abortSignal;
    signal?.throwIfAborted();
    // node's sleep rejects with a generic AbortError; callers expect the signal's own reason.
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal }).catch((error: unknown) => Promise.reject(signal?.aborted ? signal.reason : error));
    const result = work();
    records.calls[index] = { ...records.calls[index]!, finishedAt: Date.now() };
    return result;
  };
  return { records, track };
}

/**
 * Canned CI, smoke runner, deployer and verifier sharing one run's state (applied fixes,
 * deployments, a call log). Nothing lives in the module, so runs with their own sets can go in parallel.
 * @example const adapters = createReleaseAdapters({ latencyMs: 200 }); await runRelease('1.4.3', 'staging', { adapters });
 */
export function createReleaseAdapters({ latencyMs = 0, releases = CANNED_RELEASES }: ReleaseAdapterOptions = {}): ReleaseAdapters {
  expectInteger('latencyMs', latencyMs, { min: 0 });
  const { records: state, track } = recorder(latencyMs);
  const isFixed = (version: string, service: string, pattern: string) =>
    state.appliedFixes.some((fix) => fix.version === version && fix.service === service && fix.fix === pattern);
  const failureOf = (stage: CannedFailure['stage'], version: string, service: string) =>
    releases[version]?.failures.find(
      (failure) => failure.stage === stage && hits(failure, service) && !(failure.fixable && isFixed(version, service, failure.pattern)),
    );
  return {
    [BRAND]: true,
    ci: { fetchBuild: (version, options) => track('fetchBuild', [version], options, () => fetchBuild(releases, version)) },
    smoke: {
      run: (version, service, options) =>
        track('runSmoke', [version, service], options, () => smokeReport(releases, version, service, failureOf('smoke', version, service))),
      applyFix: (version, service, fix, options) =>
        track('applyFix', [version, service, fix], options, (): FixReport => {
          const subject = `${service}@${version}`;
          const fixable = releases[version]?.failures.some((failure) => failure.fixable && failure.pattern === fix && hits(failure, service));
          if (!fixable) return { applied: false, summary: `no known ${fix} failure to fix on ${subject}` };
          if (!isFixed(version, service, fix)) state.appliedFixes.push({ version, service, fix });
          return { applied: true, summary: `applied the ${fix} fix to ${subject}` };
        }),
    },
    deployer: {
      deploy: (version, service, env, options) =>
        track('deploy', [version, service, env], options, (): Deployment => {
          const deploymentId = `dep-${env}-${service}-${state.deployments.length + 1}`;
          state.deployments.push({ deploymentId, version, service, env });
          return { deploymentId };
        }),
    },
    verifier: {
      checkHealth: (version, service, options) =>
        track('checkHealth', [version, service], options, () => {
          const deployed = state.deployments.some((deployment) => deployment.version === version && deployment.service === service);
          return healthReport(version, service, deployed, failureOf('verify', version, service));
        }),
    },
    ...state,
  };
}

const hits = (failure: CannedFailure, service: string) => failure.services === 'all' || failure.services.includes(service);

function fetchBuild(releases: typeof CANNED_RELEASES, version: string): BuildInfo {
  const release = releases[version];
  return release
    ? { sha: release.sha, artifact: `registry.example.com/shop:${version}`, status: 'success' }
    : { sha: null, artifact: null, status: 'not_found' };
}

function smokeReport(releases: typeof CANNED_RELEASES, version: string, service: string, failure: CannedFailure | undefined): SmokeReport {
  const subject = `${service}@${version}`;
  if (!releases[version]) return { passed: false, failure: 'unknown_version', summary: `smoke failed for ${subject}: unknown_version (no build to test)` };
  if (failure) return { passed: false, failure: failure.pattern, summary: `smoke failed for ${subject}: ${failure.pattern} (${failure.detail})` };
  return { passed: true, failure: null, summary: `smoke passed for ${subject}: 24/24 checks green` };
}

function healthReport(version: string, service: string, deployed: boolean, failure: CannedFailure | undefined): HealthReport {
  const subject = `${service}@${version}`;
  if (!deployed) return { healthy: false, failure: 'not_deployed', summary: `${subject} has no deployment to check` };
  if (failure) return { healthy: false, failure: failure.pattern, summary: `health check failed for ${subject}: ${failure.pattern} (${failure.detail})` };
  return { healthy: true, failure: null, summary: `${subject} healthy: 5/5 checks green, p95 182 ms, error rate 0.0%` };
}
