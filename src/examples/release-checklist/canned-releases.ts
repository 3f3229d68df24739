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

/** What the canned CI and test systems know about one version. */
export interface CannedRelease {
  /** The commit the version was built from. */
  readonly sha: string;
  /** Everything that goes wrong when releasing it. */
  readonly failures: readonly CannedFailure[];
}

/**
 * The versions the canned adapters know; any other version has no CI build.
 * - 1.4.2: green everywhere.
 * - 1.4.3: web's smoke suite fails with `missing_migration` until the fix is applied to web
 *   (migration 0042 was not shipped; only web's suite touches the new column). Other services pass.
 * - 1.5.0: every service's health check fails with `downstream_db_unreachable` after the deploy.
 */
export const CANNED_RELEASES: Readonly<Record<string, CannedRelease>> = Object.freeze({
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
