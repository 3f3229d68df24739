import type { PlanRunEvent } from '../../../src/engine/events.ts';
import type { StepResult } from '../../../src/engine/result.ts';
import type { ReleaseEnv, ReleaseRunResult, ReleaseStepResult } from '../../../src/examples/release-checklist/index.ts';

type Kind = ReleaseStepResult['kind'];

/** A successful step result. */
export const ok = (stepId: string, kind: Kind, targetService: string | null, output: string): ReleaseStepResult => ({
  stepId,
  kind,
  targetService,
  success: true,
  output,
  error: null,
});

/** A failed step result. */
export const failed = (stepId: string, kind: Kind, targetService: string | null, error: string): ReleaseStepResult => ({
  stepId,
  kind,
  targetService,
  success: false,
  output: '',
  error,
});

const SHAS: Record<string, string> = { '1.4.2': '9e1c4b7', '1.4.3': '3f9c2e1', '1.5.0': 'b04d6aa' };

/** The build result the canned CI gives for a known version. */
export const buildOk = (version: string) =>
  ok('build', 'build', null, `build ${version} is green: sha ${SHAS[version]}, artifact registry.example.com/shop:${version}`);
/** A passing smoke run. */
export const smokeOk = (version: string, service = 'web') =>
  ok(`smoke-${service}`, 'smoke', service, `smoke passed for ${service}@${version}: 24/24 checks green`);
/** A deploy, with the n-th deployment id of the run. */
export const deployOk = (version: string, env: ReleaseEnv, service = 'web', n = 1) =>
  ok(`deploy-${service}`, 'deploy', service, `deployed ${service}@${version} to ${env} as dep-${env}-${service}-${n}`);
/** A healthy verify. */
export const verifyOk = (version: string, service = 'web') =>
  ok(`verify-${service}`, 'verify', service, `${service}@${version} healthy: 5/5 checks green, p95 182 ms, error rate 0.0%`);

/** The exact results of the three canned paths for `web`. */
export const EXPECTED_RESULTS = {
  '1.4.2': (env: ReleaseEnv = 'staging') => [buildOk('1.4.2'), smokeOk('1.4.2'), deployOk('1.4.2', env), verifyOk('1.4.2')],
  '1.4.3': (env: ReleaseEnv = 'staging') => [
    buildOk('1.4.3'),
    failed('smoke-web', 'smoke', 'web', 'smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)'),
    ok('fix-web', 'fix', 'web', 'applied the missing_migration fix to web@1.4.3'),
    smokeOk('1.4.3'),
    deployOk('1.4.3', env),
    verifyOk('1.4.3'),
  ],
  '1.5.0': (env: ReleaseEnv = 'staging') => [
    buildOk('1.5.0'),
    smokeOk('1.5.0'),
    deployOk('1.5.0', env),
    failed('verify-web', 'verify', 'web', 'health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)'),
  ],
} as const;

/** The fix the replanner inserts for web's missing_migration on 1.4.3. */
export const WEB_FIX_DECISION = {
  action: 'insert_fix',
  fixStep: {
    id: 'fix-web',
    kind: 'fix',
    targetService: 'web',
    description: 'Apply the missing_migration fix to web for 1.4.3',
    toolHint: 'applyFix',
    dependsOn: ['build'],
  },
  rationale: 'missing_migration is a known smoke failure: apply its fix to web, then run the smoke suite again before deploying.',
} as const;

/** The abort after 1.5.0's failed verify. */
export const UNHEALTHY_ABORT = {
  action: 'abort',
  fixStep: null,
  rationale:
    'web@1.5.0 is deployed but unhealthy; rolling back is left to the caller. health check failed for web@1.5.0: downstream_db_unreachable (orders-db did not answer within 5 s)',
} as const;

/** An `onEvent` listener with the events it received. */
export function recordEvents() {
  const events: PlanRunEvent[] = [];
  return { events, onEvent: (event: PlanRunEvent) => void events.push(event) };
}

/** Event types, with the step id appended for step events: `step-started:build`. */
export function eventTrail(events: readonly PlanRunEvent[]): string[] {
  return events.map((event) => ('stepId' in event ? `${event.type}:${event.stepId}` : event.type));
}

/** The results of one service's steps (null: the shared build), in execution order. */
export function resultsOf(release: ReleaseRunResult, service: string | null): ReleaseStepResult[] {
  return release.results.filter((result) => result.targetService === service);
}

/** When an attempt started and ended, in epoch ms, from the engine's recorded timestamps. */
export function interval(attempt: StepResult): { start: number; end: number } {
  const start = Date.parse(attempt.startedAt);
  return { start, end: start + attempt.durationMs };
}

/** The span of a service's attempts: from its first start to its last end. */
export function chainSpan(release: ReleaseRunResult, service: string): { start: number; end: number } {
  const ids = new Set(release.plan?.steps.filter((step) => step.targetService === service).map((step) => step.id));
  const spans = release.run.steps.filter((attempt) => ids.has(attempt.stepId)).map(interval);
  return { start: Math.min(...spans.map((span) => span.start)), end: Math.max(...spans.map((span) => span.end)) };
}

/** Whether two time spans share a moment. */
export const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
