import { Agent } from '@mastra/core/agent';
import { InvalidOptionsError } from '../../engine/errors.ts';
import type { PlanRunListener } from '../../engine/events.ts';
import { createReleaseAdapters, isReleaseAdapters, type ReleaseAdapters } from './adapters.ts';
import type { ReleaseAgents } from './agents.ts';
import { RELEASE_DEFAULTS } from './constants.ts';
import { ReleaseEnvSchema, type ReleaseTarget } from './schemas.ts';

/** Options of `runRelease`. */
export interface RunReleaseOptions {
  /** The services to release: one shared build, then a smoke → deploy → verify chain each, in parallel. @default ['web'] */
  readonly services?: readonly string[];
  /** Receives every engine event as it happens; a throwing listener never breaks the run. */
  readonly onEvent?: PlanRunListener;
  /** Cancels the run: it resolves `aborted`, with `run.status` `cancelled` and the results so far. */
  readonly abortSignal?: AbortSignal;
  /** Steps at once, across all service chains. @default 4 (the engine's default) */
  readonly concurrency?: number;
  /** Model-backed roles (see createReleaseAgents); without them the roles are deterministic and offline. */
  readonly agents?: ReleaseAgents;
  /** The integrations to drive; their state is this run's. @default a fresh createReleaseAdapters() */
  readonly adapters?: ReleaseAdapters;
}

/** Options with the defaults filled in and every value checked. */
export interface ResolvedReleaseOptions {
  readonly target: ReleaseTarget;
  readonly adapters: ReleaseAdapters;
  readonly agents: ReleaseAgents | undefined;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;
const show = (value: unknown) => `${JSON.stringify(value) ?? String(value)} (${typeof value})`;

/** Checks the arguments of `runRelease` before anything runs; throws InvalidOptionsError naming the bad value. */
export function resolveReleaseOptions(version: unknown, env: unknown, options: RunReleaseOptions): ResolvedReleaseOptions {
  const { services = RELEASE_DEFAULTS.services, agents, adapters = createReleaseAdapters() } = options;
  if (typeof version !== 'string' || !VERSION.test(version)) throw new InvalidOptionsError(`Expected \`version\` to be a version such as "1.4.3", got ${show(version)}`);
  const parsedEnv = ReleaseEnvSchema.safeParse(env);
  if (!parsedEnv.success) throw new InvalidOptionsError(`Expected \`env\` to be "staging" or "production", got ${show(env)}`);
  checkServices(services);
  checkAgents(agents);
  if (!isReleaseAdapters(adapters)) throw new InvalidOptionsError(`Expected \`adapters\` to come from createReleaseAdapters(), got ${show(adapters)}`);
  return { target: { version, env: parsedEnv.data, services: [...services] }, adapters, agents };
}

function checkServices(services: unknown): asserts services is readonly string[] {
  if (!Array.isArray(services) || services.length === 0) throw new InvalidOptionsError(`Expected \`services\` to be a non-empty array of service names, got ${show(services)}`);
  const bad = services.find((service) => typeof service !== 'string' || !SERVICE_NAME.test(service));
  if (bad !== undefined) throw new InvalidOptionsError(`Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got ${show(bad)}`);
  const repeated = services.find((service, index) => services.indexOf(service) !== index);
  if (repeated !== undefined) throw new InvalidOptionsError(`Expected \`services\` to name each service once, got "${repeated}" twice`);
}

function checkAgents(agents: ReleaseAgents | undefined): void {
  if (agents === undefined) return;
  for (const role of ['planner', 'executor'] as const) {
    if (!(agents[role] instanceof Agent)) throw new InvalidOptionsError(`Expected \`agents.${role}\` to be a Mastra Agent, got ${show(agents[role])}`);
  }
  if (agents.replanner !== undefined && !(agents.replanner instanceof Agent)) {
    throw new InvalidOptionsError(`Expected \`agents.replanner\` to be a Mastra Agent or undefined, got ${show(agents.replanner)}`);
  }
}
