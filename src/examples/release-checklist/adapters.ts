import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionsError } from '../../engine/errors.ts';
import type { BuildInfo, Deployment, FixReport, HealthReport, SmokeReport } from './adapter-schemas.ts';
import { CANNED_RELEASES, type CannedFailure, type CannedRelease } from './canned-releases.ts';
import type { ReleaseEnv } from './schemas.ts';

/** Per-call options every adapter method takes, as a real client would. */
export interface AdapterCallOptions {
  /** Cancels the call: it rejects with the signal's reason. */
  readonly abortSignal?: AbortSignal;
}

/** The CI system. */
export interface CiAdapter {
  /** The build of `version`; `status: 'not_found'` (never a throw) for a version CI does not know. */
  fetchBuild(version: string, options?: AdapterCallOptions): Promise<BuildInfo>;
}

/** The smoke-test runner, which also applies known remedies for the failures it reports. */
export interface SmokeRunner {
  /** Runs the smoke suite of `version` against `service`. */
  run(version: string, service: string, options?: AdapterCallOptions): Promise<SmokeReport>;
  /** Applies the remedy for the failure pattern `fix`; later runs of that service's suite pass it. */
  applyFix(version: string, service: string, fix: string, options?: AdapterCallOptions): Promise<FixReport>;
}

/** The deployment system. */
export interface Deployer {
  /** Rolls `version` of `service` out to `env`. */
  deploy(version: string, service: string, env: ReleaseEnv, options?: AdapterCallOptions): Promise<Deployment>;
}

/** The post-deploy health checker. */
export interface Verifier {
  /** Checks `service` is healthy on `version` (it must have been deployed). */
  checkHealth(version: string, service: string, options?: AdapterCallOptions): Promise<HealthReport>;
}

/** One adapter call, with when it ran (epoch milliseconds). */
export interface AdapterCall {
  /** The method called. */
  readonly operation: 'fetchBuild' | 'runSmoke' | 'applyFix' | 'deploy' | 'checkHealth';
  /** Its arguments, in order. */
  readonly args: readonly string[];
  /** When it started. */
  readonly startedAt: number;
  /** When it returned; null while running or when it was cancelled. */
  readonly finishedAt: number | null;
}

/** A fix the smoke runner applied. */
export interface AppliedFix {
  /** The version fixed. */
  readonly version: string;
  /** The service fixed. */
  readonly service: string;
  /** The failure pattern remedied. */
  readonly fix: string;
}

/** A deployment the deployer made. */
export interface DeploymentRecord extends Deployment {
  /** The version deployed. */
  readonly version: string;
  /** The service deployed. */
  readonly service: string;
  /** Where it went. */
  readonly env: ReleaseEnv;
}

const BRAND = Symbol.for('mastra-plan-execute.release-adapters');

/** The four integrations of one run and what they did; create one set per run. */
export interface ReleaseAdapters {
  readonly [BRAND]: true;
  readonly ci: CiAdapter;
  readonly smoke: SmokeRunner;
  readonly deployer: Deployer;
  readonly verifier: Verifier;
  /** Every call, in start order. */
  readonly calls: readonly AdapterCall[];
  /** Every fix applied, in order. */
  readonly appliedFixes: readonly AppliedFix[];
  /** Every deployment made, in order. */
  readonly deployments: readonly DeploymentRecord[];
}

/** Options of {@link createReleaseAdapters}. */
export interface ReleaseAdapterOptions {
  /** Simulated latency of every call, in ms. @default 0 */
  readonly latencyMs?: number;
  /** What CI and the test systems know, per version. @default CANNED_RELEASES */
  readonly releases?: Readonly<Record<string, CannedRelease>>;
}

/** Whether `value` came from {@link createReleaseAdapters}. */
export function isReleaseAdapters(value: unknown): value is ReleaseAdapters {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Canned CI, smoke runner, deployer and verifier sharing one run's state (applied fixes,
 * deployments, a call log). Nothing lives in the module, so runs with their own sets can go in parallel.
 * @example const adapters = createReleaseAdapters({ latencyMs: 200 }); await runRelease('1.4.3', 'staging', { adapters });
 */
export function createReleaseAdapters({ latencyMs = 0, releases = CANNED_RELEASES }: ReleaseAdapterOptions = {}): ReleaseAdapters {
  if (!Number.isInteger(latencyMs) || latencyMs < 0) {
    throw new InvalidOptionsError(`Expected \`latencyMs\` to be an integer from 0 and up, got ${String(latencyMs)} (${typeof latencyMs})`);
  }
  const state = new RunState(releases, latencyMs);
  return {
    [BRAND]: true,
    ci: cannedCi(state),
    smoke: cannedSmokeRunner(state),
    deployer: cannedDeployer(state),
    verifier: cannedVerifier(state),
    calls: state.calls,
    appliedFixes: state.appliedFixes,
    deployments: state.deployments,
  };
}

/** What one set of canned adapters shares. */
class RunState {
  readonly calls: AdapterCall[] = [];
  readonly appliedFixes: AppliedFix[] = [];
  readonly deployments: DeploymentRecord[] = [];

  constructor(
    readonly releases: Readonly<Record<string, CannedRelease>>,
    private readonly latencyMs: number,
  ) {}

  /** Logs the call, waits out the latency (cancellable), then does `work`. */
  async track<T>(operation: AdapterCall['operation'], args: string[], options: AdapterCallOptions | undefined, work: () => T): Promise<T> {
    const index = this.calls.push({ operation, args, startedAt: Date.now(), finishedAt: null }) - 1;
    const signal = options?.abortSignal;
    signal?.throwIfAborted();
    // node's sleep rejects with a generic AbortError; callers expect the signal's own reason.
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal }).catch((error: unknown) => Promise.reject(signal?.aborted ? signal.reason : error));
    const result = work();
    this.calls[index] = { ...this.calls[index]!, finishedAt: Date.now() };
    return result;
  }

  /** The canned failure of `stage` that still hits `service` on `version`, if any. */
  openFailure(stage: CannedFailure['stage'], version: string, service: string): CannedFailure | undefined {
    return this.releases[version]?.failures.find(
      (failure) => failure.stage === stage && hits(failure, service) && !(failure.fixable && this.isFixed(version, service, failure.pattern)),
    );
  }

  /** Whether `pattern` was fixed on `service` for `version`. */
  isFixed(version: string, service: string, pattern: string): boolean {
    return this.appliedFixes.some((fix) => fix.version === version && fix.service === service && fix.fix === pattern);
  }
}

const hits = (failure: CannedFailure, service: string) => failure.services === 'all' || failure.services.includes(service);

function cannedCi(state: RunState): CiAdapter {
  return {
    fetchBuild: (version, options) =>
      state.track('fetchBuild', [version], options, (): BuildInfo => {
        const release = state.releases[version];
        if (!release) return { sha: null, artifact: null, status: 'not_found' };
        return { sha: release.sha, artifact: `registry.example.com/shop:${version}`, status: 'success' };
      }),
  };
}

function cannedSmokeRunner(state: RunState): SmokeRunner {
  return {
    run: (version, service, options) =>
      state.track('runSmoke', [version, service], options, (): SmokeReport => {
        const subject = `${service}@${version}`;
        if (!state.releases[version]) return { passed: false, failure: 'unknown_version', summary: `smoke failed for ${subject}: unknown_version (no build to test)` };
        const failure = state.openFailure('smoke', version, service);
        if (failure) return { passed: false, failure: failure.pattern, summary: `smoke failed for ${subject}: ${failure.pattern} (${failure.detail})` };
        return { passed: true, failure: null, summary: `smoke passed for ${subject}: 24/24 checks green` };
      }),
    applyFix: (version, service, fix, options) =>
      state.track('applyFix', [version, service, fix], options, (): FixReport => {
        const subject = `${service}@${version}`;
        const fixable = state.releases[version]?.failures.some((failure) => failure.fixable && failure.pattern === fix && hits(failure, service));
        if (!fixable) return { applied: false, summary: `no known ${fix} failure to fix on ${subject}` };
        if (!state.isFixed(version, service, fix)) state.appliedFixes.push({ version, service, fix });
        return { applied: true, summary: `applied the ${fix} fix to ${subject}` };
      }),
  };
}

function cannedDeployer(state: RunState): Deployer {
  return {
    deploy: (version, service, env, options) =>
      state.track('deploy', [version, service, env], options, (): Deployment => {
        const deploymentId = `dep-${env}-${service}-${state.deployments.length + 1}`;
        state.deployments.push({ deploymentId, version, service, env });
        return { deploymentId };
      }),
  };
}

function cannedVerifier(state: RunState): Verifier {
  return {
    checkHealth: (version, service, options) =>
      state.track('checkHealth', [version, service], options, (): HealthReport => {
        const subject = `${service}@${version}`;
        if (!state.deployments.some((deployment) => deployment.version === version && deployment.service === service)) {
          return { healthy: false, failure: 'not_deployed', summary: `${subject} has no deployment to check` };
        }
        const failure = state.openFailure('verify', version, service);
        if (failure) return { healthy: false, failure: failure.pattern, summary: `health check failed for ${subject}: ${failure.pattern} (${failure.detail})` };
        return { healthy: true, failure: null, summary: `${subject} healthy: 5/5 checks green, p95 182 ms, error rate 0.0%` };
      }),
  };
}
