import { Mastra } from '@mastra/core/mastra';
import { describe, expect, it } from 'vitest';
import type { PlanRunResult } from '../../../src/engine/result.ts';
import { InMemoryRunStore } from '../../../src/engine/run-store.ts';
import {
  createReleaseAdapters,
  createReleaseWorkflow,
  runRelease,
  type ReleaseAdapters,
  type ReleaseRunResult,
} from '../../../src/examples/release-checklist/index.ts';
import { readProgress } from '../../../src/mastra/workflows/progress.ts';
import { planRunResultOf, type RunEndedErrorJSON } from '../../../src/mastra/workflows/run-ended-error.ts';
import { EXPECTED_RESULTS, UNHEALTHY_ABORT, WEB_FIX_DECISION } from './fixtures.ts';

/** A release workflow in a Mastra instance, with the adapters each of its runs got. */
function setup() {
  const adapters: ReleaseAdapters[] = [];
  const store = new InMemoryRunStore();
  const createAdapters = () => {
    const made = createReleaseAdapters();
    adapters.push(made);
    return made;
  };
  const mastra = new Mastra({ workflows: { release: createReleaseWorkflow({ store, createAdapters }) }, logger: false });
  return { workflow: mastra.getWorkflow('release'), adapters, store };
}

/** A release result without what differs between two runs of it: run ids, times and durations. */
function comparable(release: ReleaseRunResult) {
  const { runId, durationMs, steps, ...run } = release.run;
  void [runId, durationMs];
  return { ...release, run: { ...run, steps: steps.map(({ startedAt, durationMs: took, ...attempt }) => (void [startedAt, took], attempt)) } };
}

describe('the release checklist workflow', () => {
  it('has the Plan & Execute steps: plan, approve, a loop of iterate, synthesize', () => {
    const { workflow } = setup();
    const idOf = (entry: { type: string; step?: unknown }) => (entry.type === 'step' ? (entry.step as { id: string }).id : entry.type);
    const graph = workflow.serializedStepGraph.map((entry) => (entry.type === 'loop' ? `${entry.loopType}(${idOf(entry.step)})` : idOf(entry)));
    expect(graph).toEqual(['plan', 'approve', 'dountil(iterate)', 'synthesize']);
  });

  it('releases 1.4.3 with the replan in its steps: the first round stops at the failed smoke, the second runs the fix', async () => {
    const { workflow, adapters } = setup();
    const run = await workflow.createRun();
    const output = run.stream({ inputData: { version: '1.4.3', env: 'staging' } });
    const rounds: { steps: { id: string; status: string }[]; revisions: number }[] = [];
    const progress: string[] = [];
    for await (const chunk of output.fullStream) {
      const { type, payload } = chunk as { type: string; payload?: { id?: string; output?: { progress?: (typeof rounds)[number] } } };
      if (type === 'workflow-step-result' && payload?.id === 'iterate' && payload.output?.progress) rounds.push(payload.output.progress);
      const event = readProgress(chunk);
      if (event?.type === 'replan-decided' || event?.type === 'plan-revised') progress.push(`${event.type}: ${event.summary}`);
    }
    const response = await output.result;
    expect(response.status).toBe('success');
    const release = (response as { result: ReleaseRunResult }).result;
    expect([release.status, release.replanned, release.decisions, release.results]).toEqual([
      'succeeded',
      true,
      [WEB_FIX_DECISION],
      EXPECTED_RESULTS['1.4.3'](),
    ]);
    expect(comparable(release)).toEqual(comparable(await runRelease('1.4.3', 'staging')));
    expect(rounds).toEqual([
      {
        steps: [
          { id: 'build', status: 'done' },
          { id: 'fix-web', status: 'pending' },
          { id: 'smoke-web', status: 'pending' },
          { id: 'deploy-web', status: 'pending' },
          { id: 'verify-web', status: 'pending' },
        ],
        revisions: 1,
      },
      {
        steps: ['build', 'fix-web', 'smoke-web', 'deploy-web', 'verify-web'].map((id) => ({ id, status: 'done' })),
        revisions: 1,
      },
    ]);
    expect(progress).toEqual([
      `replan-decided: revise: ${WEB_FIX_DECISION.rationale}`,
      `plan-revised: Revision 1 (revise): ${WEB_FIX_DECISION.rationale}; steps: build, fix-web, smoke-web, deploy-web, verify-web`,
    ]);
    // One set of integrations for the whole release: the fix applied in one round is seen by the smoke run after it.
    expect(adapters).toHaveLength(1);
    expect(adapters[0]!.appliedFixes).toEqual([{ version: '1.4.3', service: 'web', fix: 'missing_migration' }]);
  });

  it('ends an aborted release failed, with the release result and the engine result in its error', async () => {
    const { workflow, store } = setup();
    const run = await workflow.createRun();
    const response = await run.start({ inputData: { version: '1.5.0', env: 'staging' } });
    expect(response.status).toBe('failed');
    const error = (response as unknown as { error: RunEndedErrorJSON }).error;
    expect([error.name, error.code, error.message, error.status]).toEqual([
      'RunEndedError',
      'RUN_ABORTED',
      `The run was aborted: ${UNHEALTHY_ABORT.rationale}`,
      'aborted',
    ]);
    const release = error.output as ReleaseRunResult;
    expect([release.status, release.replanned, release.decisions, release.results]).toEqual(['aborted', true, [UNHEALTHY_ABORT], EXPECTED_RESULTS['1.5.0']()]);
    const result = planRunResultOf(response) as PlanRunResult;
    expect([result.status, result.runId, result]).toEqual(['aborted', run.runId, release.run]);
    expect((await store.load(run.runId))?.result).toEqual(result);
    expect(comparable(release)).toEqual(comparable(await runRelease('1.5.0', 'staging')));
  });

  it('releases two services as runRelease does, each run with its own integrations', async () => {
    const { workflow, adapters } = setup();
    const services = ['web', 'api'];
    const first = await (await workflow.createRun()).start({ inputData: { version: '1.4.3', env: 'production', services } });
    const second = await (await workflow.createRun()).start({ inputData: { version: '1.4.2', env: 'staging', services: [] } });
    expect([first.status, second.status]).toEqual(['success', 'success']);
    const release = (first as { result: ReleaseRunResult }).result;
    expect(comparable(release)).toEqual(comparable(await runRelease('1.4.3', 'production', { services })));
    expect((second as { result: ReleaseRunResult }).result.results).toEqual(EXPECTED_RESULTS['1.4.2']());
    expect(adapters.map((made) => made.deployments.map((deployment) => deployment.deploymentId))).toEqual([
      ['dep-production-api-1', 'dep-production-web-2'],
      ['dep-staging-web-1'],
    ]);
  });

  it('fails a release with a bad service name before any integration is called', async () => {
    const { workflow, adapters } = setup();
    const response = await (await workflow.createRun()).start({ inputData: { version: '1.4.2', env: 'staging', services: ['Web Shop'] } });
    expect(response.status).toBe('failed');
    expect((response as unknown as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'INVALID_OPTIONS',
      message: 'Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got "Web Shop" (string)',
    });
    expect(planRunResultOf(response)).toBeNull();
    expect(adapters.flatMap((made) => made.calls)).toEqual([]);
  });
});
