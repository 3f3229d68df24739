import { describe, expect, it } from 'vitest';
import { createReleaseAdapters, createReleaseAgents, runRelease } from '../../../src/examples/release-checklist/index.ts';
import { EXPECTED_RESULTS, UNHEALTHY_ABORT, WEB_FIX_DECISION } from './fixtures.ts';
import { scriptedExecutor, scriptedPlanner, userText, webPlan } from './scripted-release-models.ts';

const dataBlock = (source: string, text: string) => `<data source="${source}">\n${text}\n</data>`;

describe('runRelease with model-backed agents (scripted models)', () => {
  it('releases 1.4.2: one planner call, two executor calls per step (tool, then result), no replanner call', async () => {
    const planner = scriptedPlanner([webPlan('1.4.2', 'staging')]);
    const replanner = scriptedPlanner([], 'release-replanner');
    const executor = scriptedExecutor(8);
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.4.2', 'staging', { agents: createReleaseAgents({ planner, executor, replanner }), adapters });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(false);
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.2']());
    expect([planner.calls.length, executor.calls.length, replanner.calls.length]).toEqual([1, 8, 0]);
    expect(executor.remaining).toBe(0);
    // The tools ran against this run's adapters, reached through the request context.
    expect(adapters.calls.map((call) => [call.operation, ...call.args])).toEqual([
      ['fetchBuild', '1.4.2'],
      ['runSmoke', '1.4.2', 'web'],
      ['deploy', '1.4.2', 'web', 'staging'],
      ['checkHealth', '1.4.2', 'web'],
    ]);
    expect(release.run.steps.map((attempt) => attempt.toolCalls)).toEqual([1, 1, 1, 1]);
    expect(release.run.usage.byRole).toEqual({
      planner: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
      executor: { inputTokens: 80, outputTokens: 160, totalTokens: 240 },
      synthesizer: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
    const planPrompt = userText(planner.calls[0]);
    expect(planPrompt).toContain('Version: 1.4.2\nEnvironment: staging\nServices: web');
    expect(planner.callOptions[0]!.responseFormat).toMatchObject({ type: 'json' });
    // The step's meta reaches the executor model as the tool call to make; the description stays plain.
    expect(userText(executor.calls[0])).toContain(
      'Your step (build):\n<data source="step">\nFetch the CI build of 1.4.2 and check it is green\nExpected output: ',
    );
    expect(userText(executor.calls[0])).toContain(
      '\n\nRelease step: build, no service (the shared build). Call fetchBuild once with this input: {"version":"1.4.2"}',
    );
    expect(userText(executor.calls[2])).toContain('Release step: smoke, service web. Call runSmoke once with this input: {"version":"1.4.2","service":"web"}');
  });

  it('releases 1.4.3: the replanner inserts the fix, the executor applies it through the smoke runner', async () => {
    const planner = scriptedPlanner([webPlan('1.4.3', 'staging')]);
    const replanner = scriptedPlanner([WEB_FIX_DECISION], 'release-replanner');
    const executor = scriptedExecutor(12);
    const adapters = createReleaseAdapters();

    const release = await runRelease('1.4.3', 'staging', { agents: createReleaseAgents({ planner, executor, replanner }), adapters });

    expect(release.status).toBe('succeeded');
    expect(release.replanned).toBe(true);
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.3']());
    expect(release.decisions).toEqual([WEB_FIX_DECISION]);
    expect([planner.calls.length, executor.calls.length, replanner.calls.length]).toEqual([1, 12, 1]);
    expect(adapters.appliedFixes).toEqual([{ version: '1.4.3', service: 'web', fix: 'missing_migration' }]);
    const replanPrompt = userText(replanner.calls[0]);
    expect(replanPrompt).toContain(
      `Failed step:\n- smoke-web (smoke web; tool runSmoke; dependsOn [build]): Run the smoke suite of 1.4.3 against web\n${dataBlock(
        'error',
        'smoke failed for web@1.4.3: missing_migration (column invoices.status does not exist)',
      )}`,
    );
    expect(replanPrompt).toContain(
      'Steps not yet done:\n- deploy-web (deploy web; tool deploy; dependsOn [smoke-web]): Deploy 1.4.3 of web to staging\n- verify-web',
    );
    expect(replanPrompt).toContain(
      `- build (build): Fetch the CI build of 1.4.3 and check it is green\n${dataBlock('output of build', 'build 1.4.3 is green: sha 3f9c2e1, artifact registry.example.com/shop:1.4.3')}`,
    );
  });

  it('aborts 1.5.0 on the failed verify; the replanner is called once', async () => {
    const planner = scriptedPlanner([webPlan('1.5.0', 'staging')]);
    const replanner = scriptedPlanner([UNHEALTHY_ABORT], 'release-replanner');
    const executor = scriptedExecutor(8);

    const release = await runRelease('1.5.0', 'staging', { agents: createReleaseAgents({ planner, executor, replanner }) });

    expect(release.status).toBe('aborted');
    expect(release.replanned).toBe(true);
    expect(release.results).toEqual(EXPECTED_RESULTS['1.5.0']());
    expect(release.results.at(-1)).toMatchObject({ kind: 'verify', success: false, error: expect.stringContaining('downstream_db_unreachable') });
    expect(release.decisions).toEqual([UNHEALTHY_ABORT]);
    expect([planner.calls.length, executor.calls.length, replanner.calls.length]).toEqual([1, 8, 1]);
  });

  it('runs two services through one executor Agent whose calls interleave, each answered from its own prompt', async () => {
    const plan = webPlan('1.4.2', 'staging');
    const planner = scriptedPlanner([
      {
        ...plan,
        steps: [
          ...plan.steps,
          {
            id: 'smoke-api',
            kind: 'smoke',
            targetService: 'api',
            description: 'Run the smoke suite of 1.4.2 against api',
            toolHint: 'runSmoke',
            dependsOn: ['build'],
          },
          {
            id: 'deploy-api',
            kind: 'deploy',
            targetService: 'api',
            description: 'Deploy 1.4.2 of api to staging',
            toolHint: 'deploy',
            dependsOn: ['smoke-api'],
          },
          {
            id: 'verify-api',
            kind: 'verify',
            targetService: 'api',
            description: 'Check api is healthy on 1.4.2',
            toolHint: 'checkHealth',
            dependsOn: ['deploy-api'],
          },
        ],
      },
    ]);
    const executor = scriptedExecutor(14);
    const adapters = createReleaseAdapters({ latencyMs: 10 });

    const release = await runRelease('1.4.2', 'staging', { services: ['web', 'api'], agents: createReleaseAgents({ planner, executor }), adapters });

    expect(release.status).toBe('succeeded');
    expect(release.results.map((result) => [result.stepId, result.success])).toEqual(
      expect.arrayContaining([
        ['smoke-api', true],
        ['verify-web', true],
        ['verify-api', true],
      ]),
    );
    expect(release.results).toHaveLength(7);
    expect([planner.calls.length, executor.calls.length]).toEqual([1, 14]);
    // The two smoke steps were in the model at the same time: both first calls came before either result.
    const smokeCalls = executor.calls.map((prompt, index) => [index, userText(prompt).match(/Your step \((smoke-\w+)\)/)?.[1], prompt.at(-1)?.role] as const);
    const firstCalls = smokeCalls.filter(([, id, role]) => id && role === 'user').map(([index]) => index);
    const resultCalls = smokeCalls.filter(([, id, role]) => id && role === 'tool').map(([index]) => index);
    expect(Math.max(...firstCalls)).toBeLessThan(Math.min(...resultCalls));
  });

  it('sends a plan that breaks release rules back to the planner with the issues, then runs the repaired plan', async () => {
    const good = webPlan('1.4.2', 'staging');
    const bad = { ...good, version: '1.4.1', steps: good.steps.map((step) => (step.id === 'deploy-web' ? { ...step, toolHint: 'runSmoke' } : step)) };
    const planner = scriptedPlanner([bad, good]);
    const executor = scriptedExecutor(8);

    const release = await runRelease('1.4.2', 'staging', { agents: createReleaseAgents({ planner, executor }) });

    expect(release.status).toBe('succeeded');
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.2']());
    expect(planner.calls).toHaveLength(2);
    expect(userText(planner.calls[1])).toContain(
      'Your previous answer was rejected. Fix every problem:\n- version: expected "1.4.2", got "1.4.1".\n- Step "deploy-web" is a deploy step; its toolHint must be "deploy", not "runSmoke".',
    );
    expect(release.decisions).toEqual([]);
  });

  it('lets the planner Agent answer replan requests when no replanner is given', async () => {
    const planner = scriptedPlanner([webPlan('1.4.3', 'staging'), WEB_FIX_DECISION]);
    const executor = scriptedExecutor(12);

    const release = await runRelease('1.4.3', 'staging', { agents: createReleaseAgents({ planner, executor }) });

    expect(release.status).toBe('succeeded');
    expect(release.results).toEqual(EXPECTED_RESULTS['1.4.3']());
    expect(planner.calls).toHaveLength(2);
    expect(userText(planner.calls[1])).toContain('A step of the release of 1.4.3 to staging (services: web) failed.');
  });

  it('re-asks the replanner after a decision the release rules or the engine reject, and records only the applied one', async () => {
    const noFixStep = { action: 'insert_fix', fixStep: null, rationale: 'Fix it' };
    const unknownDependency = { ...WEB_FIX_DECISION, fixStep: { ...WEB_FIX_DECISION.fixStep, dependsOn: ['compile'] } };
    const planner = scriptedPlanner([webPlan('1.4.3', 'staging')]);
    const replanner = scriptedPlanner([noFixStep, unknownDependency, WEB_FIX_DECISION], 'release-replanner');
    const executor = scriptedExecutor(12);
    const invalid: string[][] = [];

    const release = await runRelease('1.4.3', 'staging', {
      agents: createReleaseAgents({ planner, executor, replanner }),
      onEvent: (event) => void (event.type === 'plan-invalid' && invalid.push([...event.issues])),
    });

    expect(release.status).toBe('succeeded');
    expect(release.decisions).toEqual([WEB_FIX_DECISION]);
    expect(replanner.calls).toHaveLength(3);
    expect(invalid).toEqual([
      ['fixStep: required when action is "insert_fix".'],
      ['Step "fix-web" depends on "compile", which is not a step of the plan; use an existing step id.'],
    ]);
    expect(userText(replanner.calls[2])).toContain('Fix every problem:\n- Step "fix-web" depends on "compile"');
  });
});
