import { z } from 'zod';
import { InMemoryRunStore, PlanRunResultSchema, type PlanRunListener, type RunStore } from '../../index.ts';
import { createRunWorkflow } from '../../mastra/workflows/run-workflow.ts';
import { createReleaseAdapters, type ReleaseAdapters } from './adapters.ts';
import type { ReleaseAgents } from './agents.ts';
import { toReleaseResult } from './release-result.ts';
import { releaseRunSource, resolveReleaseTarget } from './release-run.ts';
import { ReleaseEnvSchema, ReleasePlanSchema, ReleaseReplanDecisionSchema, ReleaseStepResultSchema } from './schemas.ts';

/** What a release is started with. */
export const ReleaseInputSchema = z.object({
  version: z.string().min(1).describe('The version to release: 1.4.2 (green), 1.4.3 (smoke needs a fix) or 1.5.0 (verify fails)'),
  env: ReleaseEnvSchema,
  services: z.array(z.string().min(1)).optional().describe('Services to release, each in its own parallel chain (default ["web"])'),
});

/** The release outcome. */
export const ReleaseOutputSchema = z.object({
  status: z.enum(['succeeded', 'aborted']).describe('succeeded when every step is done'),
  replanned: z.boolean().describe('Whether the replanner was consulted'),
  results: z.array(ReleaseStepResultSchema).describe('Every step attempt in execution order'),
  plan: ReleasePlanSchema.nullable().describe('The final plan, fix steps included'),
  decisions: z.array(ReleaseReplanDecisionSchema).describe('The replan decisions applied'),
  run: PlanRunResultSchema.describe("The engine's full result"),
});

/** Runs whose adapters a release workflow keeps at once; past that, the oldest run's are dropped (a simulation's memory, not a real system's). */
export const MAX_OPEN_RELEASES = 100;

/** Options of {@link createReleaseWorkflow}. */
export interface ReleaseWorkflowOptions {
  /** Workflow id. @default 'release-checklist' */
  readonly id?: string;
  /** Checkpoints each release after every step transition. @default a new InMemoryRunStore */
  readonly store?: RunStore;
  /** Receives every engine event of every release. */
  readonly onEvent?: PlanRunListener;
  /** Model-backed roles (see createReleaseAgents); without them the roles are deterministic and offline. */
  readonly agents?: ReleaseAgents;
  /** The integrations of one release, made when it starts. @default () => createReleaseAdapters() */
  readonly createAdapters?: () => ReleaseAdapters;
}

/**
 * The offline release checklist as a Mastra Workflow with the Plan & Execute steps — `plan` →
 * `approve` (never waits here) → a loop of `iterate` → `synthesize` — so the Studio shows the plan,
 * each round of steps and the replan (the `progress` each step outputs) as the release goes, and
 * `run.stream()` carries every engine event as a progress chunk. The form's version, env and
 * services become the release target; roles, replan policy and result are runRelease's.
 *
 * A release that succeeded ends the workflow `success` with the release result (ReleaseOutputSchema).
 * Any other ends it `failed`: an aborted release (the replanner stopped it — an unknown version, an
 * unfixable smoke failure, an unhealthy deploy) did not release, so it is not a success. Its error
 * is a RunEndedError (code `RUN_ABORTED`, the replanner's rationale in the message) carrying the
 * engine's result as `result` and the release result, status `aborted`, as `output`.
 * @example new Mastra({ workflows: { releaseChecklist: createReleaseWorkflow() } })
 */
export function createReleaseWorkflow({
  id = 'release-checklist',
  store = new InMemoryRunStore(),
  onEvent,
  agents,
  createAdapters = () => createReleaseAdapters(),
}: ReleaseWorkflowOptions = {}) {
  // The simulated integrations keep state (fixes applied, deployments) that a release's later steps read.
  const adaptersByRun = new Map<string, ReleaseAdapters>();
  const adaptersOf = (runId: string) => {
    const known = adaptersByRun.get(runId);
    if (known) return known;
    if (adaptersByRun.size >= MAX_OPEN_RELEASES) adaptersByRun.delete(adaptersByRun.keys().next().value!);
    const adapters = createAdapters();
    adaptersByRun.set(runId, adapters);
    return adapters;
  };
  // The Studio form sends an untouched list as []: that means the default services.
  const targetOf = ({ version, env, services }: z.infer<typeof ReleaseInputSchema>) =>
    resolveReleaseTarget(version, env, services?.length ? services : undefined);
  return createRunWorkflow({
    id,
    description: 'Offline release checklist with replanning (no model needed): plan, then rounds of steps, replanning after failures.',
    inputSchema: ReleaseInputSchema,
    outputSchema: ReleaseOutputSchema,
    store,
    redact: [],
    onEvent,
    runSource: async (input, runId) => releaseRunSource(targetOf(input), { adapters: adaptersOf(runId), agents }),
    output: (result, input) => toReleaseResult(targetOf(input), result) as z.infer<typeof ReleaseOutputSchema>,
    onRunEnd: (runId) => void adaptersByRun.delete(runId),
  });
}
