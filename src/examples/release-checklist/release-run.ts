import { describeValue } from '../../engine/option-checks.ts';
import { InvalidOptionsError, resolveSettings, type Executor, type Planner, type RunSettings, type Synthesizer, type ToolInfo } from '../../index.ts';
import type { ReleaseAdapters } from './adapters.ts';
import { agentRoles, type ReleaseAgents } from './agents.ts';
import { deterministicRoles } from './deterministic-roles.ts';
import { toEnginePorts } from './engine-ports.ts';
import { releaseTask } from './release-plan.ts';
import { ReleaseEnvSchema, type ReleaseTarget } from './schemas.ts';
import { releaseToolCatalogue } from './tools.ts';

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;

/** The release a version, an environment and a list of services stand for, checked; throws InvalidOptionsError naming the bad value. */
export function resolveReleaseTarget(version: unknown, env: unknown, services: unknown = ['web']): ReleaseTarget {
  if (typeof version !== 'string' || !VERSION.test(version))
    throw new InvalidOptionsError(`Expected \`version\` to be a version such as "1.4.3", got ${describeValue(version)}`);
  const parsedEnv = ReleaseEnvSchema.safeParse(env);
  if (!parsedEnv.success) throw new InvalidOptionsError(`Expected \`env\` to be "staging" or "production", got ${describeValue(env)}`);
  if (!Array.isArray(services) || services.length === 0)
    throw new InvalidOptionsError(`Expected \`services\` to be a non-empty array of service names, got ${describeValue(services)}`);
  const bad = services.find((service) => typeof service !== 'string' || !SERVICE_NAME.test(service));
  if (bad !== undefined)
    throw new InvalidOptionsError(`Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got ${describeValue(bad)}`);
  const repeated = services.find((service, index) => services.indexOf(service) !== index);
  if (repeated !== undefined) throw new InvalidOptionsError(`Expected \`services\` to name each service once, got "${repeated}" twice`);
  return { version, env: parsedEnv.data, services: [...(services as string[])] };
}

/** A release as the engine runs it: the task, the three ports, the tool catalogue and the settings. */
export interface ReleaseRunSource {
  readonly task: string;
  readonly planner: Planner;
  readonly executor: Executor;
  readonly synthesizer: Synthesizer;
  readonly tools: readonly ToolInfo[];
  readonly settings: RunSettings;
}

/**
 * The engine's input for releasing `target` through `adapters`: the deterministic roles (or the
 * model-backed ones, with `agents`) adapted to the engine, and settings sized for the release —
 * one replan per service (its fix) plus the decision that ends the run, and room for the build and
 * a smoke, deploy, verify and fix per service.
 */
export function releaseRunSource(
  target: ReleaseTarget,
  { adapters, agents, concurrency }: { adapters: ReleaseAdapters; agents?: ReleaseAgents | undefined; concurrency?: number | undefined },
): ReleaseRunSource {
  const serviceCount = target.services.length;
  const settings = resolveSettings({ concurrency, maxReplans: serviceCount + 1, maxPlanSteps: 1 + 4 * serviceCount });
  const tools = releaseToolCatalogue();
  const roles = agents ? agentRoles(agents, adapters, tools) : deterministicRoles(adapters);
  return { task: releaseTask(target), ...toEnginePorts(roles, target), tools, settings };
}
