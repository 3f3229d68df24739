import { describe, expect, it } from 'vitest';
import { createReleaseAdapters, runRelease, type ReleaseRunResult } from '../../../src/examples/release-checklist/index.ts';
import { chainSpan, EXPECTED_RESULTS, overlaps } from './fixtures.ts';

describe('runRelease state isolation', () => {
  it("gives every call its own adapters: a run started after another run's fix still meets missing_migration", async () => {
    let startSecond!: () => void;
    const firstFixed = new Promise<void>((resolve) => (startSecond = resolve));
    const first = runRelease('1.4.3', 'staging', {
      onEvent: (event) => {
        if (event.type === 'step-finished' && event.stepId === 'fix-web') startSecond();
      },
    });

    await firstFixed;
    const second = runRelease('1.4.3', 'staging');
    const [a, b] = await Promise.all([first, second]);

    // Shared fix state would let the second run's first smoke pass; a shared deployment counter would give it dep-staging-web-2.
    for (const release of [a, b]) {
      expect(release.status).toBe('succeeded');
      expect(release.replanned).toBe(true);
      expect(release.results).toEqual(EXPECTED_RESULTS['1.4.3']());
    }
    expect(a.run.runId).not.toBe(b.run.runId);
  });

  it('runs three releases at once, each with its own exact results and its own adapter records', async () => {
    const adapters = [createReleaseAdapters({ latencyMs: 15 }), createReleaseAdapters({ latencyMs: 15 }), createReleaseAdapters({ latencyMs: 15 })] as const;

    const releases: ReleaseRunResult[] = await Promise.all([
      runRelease('1.4.3', 'staging', { adapters: adapters[0] }),
      runRelease('1.4.3', 'production', { adapters: adapters[1] }),
      runRelease('1.5.0', 'staging', { adapters: adapters[2] }),
    ]);

    expect(releases.map((release) => release.status)).toEqual(['succeeded', 'succeeded', 'aborted']);
    expect(releases[0]!.results).toEqual(EXPECTED_RESULTS['1.4.3']('staging'));
    expect(releases[1]!.results).toEqual(EXPECTED_RESULTS['1.4.3']('production'));
    expect(releases[2]!.results).toEqual(EXPECTED_RESULTS['1.5.0']('staging'));
    expect(adapters.map((set) => set.appliedFixes)).toEqual([
      [{ version: '1.4.3', service: 'web', fix: 'missing_migration' }],
      [{ version: '1.4.3', service: 'web', fix: 'missing_migration' }],
      [],
    ]);
    expect(adapters.map((set) => set.deployments.map((deployment) => deployment.deploymentId))).toEqual([
      ['dep-staging-web-1'],
      ['dep-production-web-1'],
      ['dep-staging-web-1'],
    ]);
    expect(adapters.map((set) => set.calls.every((call) => call.args[0] === set.calls[0]!.args[0]))).toEqual([true, true, true]);
    // They really ran at the same time.
    expect(overlaps(chainSpan(releases[0]!, 'web'), chainSpan(releases[1]!, 'web'))).toBe(true);
    expect(overlaps(chainSpan(releases[0]!, 'web'), chainSpan(releases[2]!, 'web'))).toBe(true);
  });
});
