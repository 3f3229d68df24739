import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { PlanRunResultSchema } from '../../index.ts';
import { runRelease } from './run-release.ts';
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

/**
 * The offline release checklist as a Mastra Workflow (deterministic roles, no model): one step
 * running `runRelease`, so the playground can start a release from a form and show its outcome.
 * @example new Mastra({ workflows: { releaseChecklist: createReleaseWorkflow() } })
 */
export function createReleaseWorkflow({ id = 'release-checklist' }: { id?: string } = {}) {
  const release = createStep({
    id: 'release',
    description: 'Plans build → smoke → deploy → verify per service, runs it and replans after failures.',
    inputSchema: ReleaseInputSchema,
    outputSchema: ReleaseOutputSchema,
    execute: async ({ inputData, abortSignal }) => {
      const { version, env, services } = inputData;
      // The playground form sends an untouched list as []: that means the default services.
      const result = await runRelease(version, env, { abortSignal, ...(services?.length ? { services } : {}) });
      return structuredClone(result) as z.infer<typeof ReleaseOutputSchema>;
    },
  });
  return createWorkflow({
    id,
    description: 'Offline release checklist with replanning (no model needed).',
    inputSchema: ReleaseInputSchema,
    outputSchema: ReleaseOutputSchema,
  })
    .then(release)
    .commit();
}
