import type { Agent } from '@mastra/core/agent';
import { executorPort } from '../../agents/executor.ts';
import { plannerPort } from '../../agents/planner.ts';
import { synthesizerPort } from '../../agents/synthesizer.ts';
import type { AnySpan } from '@mastra/core/observability';
import { notify, type PlanRunListener } from '../../engine/events.ts';
import { tracingListener } from '../tracing.ts';
import { lastOutput, toRunEnd } from '../../engine/phases.ts';
import { resolveSettings, type RunSettingsInput } from '../../engine/resolve-settings.ts';
import type { PlanRunResult } from '../../engine/result.ts';
import { RunContext } from '../../engine/run-context.ts';
import type { RunStore } from '../../engine/run-store.ts';

/** What every step of the Plan & Execute workflow is built from. */
export interface WorkflowRoles {
  /** Writes and revises plans. */
  readonly planner: Agent;
  /** Runs steps with its tools. */
  readonly executor: Agent;
  /** Merges the outputs. */
  readonly synthesizer: Agent;
  /** Where the run is checkpointed between (and inside) workflow steps. */
  readonly store: RunStore;
  /** Receives every engine event of every run. */
  readonly onEvent?: PlanRunListener;
}

/**
 * The engine's RunContext for one workflow step: the run as stored under `runId` (a fresh one
 * before the plan exists), with the roles' ports and the settings from the workflow input.
 */
export async function loadRunContext(
  roles: WorkflowRoles,
  runId: string,
  init: { task: string } & RunSettingsInput,
  { abortSignal, tracingContext }: { abortSignal: AbortSignal; tracingContext?: { currentSpan?: AnySpan } | undefined },
): Promise<RunContext> {
  const { task, ...settings } = init;
  const record = await roles.store.load(runId);
  const tools = (await roles.executor.listTools()) as Record<string, { description?: string }>;
  const input = {
    task,
    planner: plannerPort(roles.planner),
    executor: executorPort(roles.executor),
    synthesizer: synthesizerPort(roles.synthesizer),
    tools: Object.entries(tools).map(([name, tool]) => ({ name, description: tool.description ?? '' })),
    settings: resolveSettings(settings),
    runId,
    abortSignal,
    onEvent: bothListeners(roles.onEvent, tracingListener(tracingContext?.currentSpan)),
    store: roles.store,
  };
  return new RunContext(input, record ?? undefined);
}

function bothListeners(first: PlanRunListener | undefined, second: PlanRunListener | undefined): PlanRunListener | undefined {
  if (!first || !second) return first ?? second;
  return (event) => {
    notify(first, event);
    notify(second, event);
  };
}

/** Ends the run for whatever stopped it and returns the stored result. */
export function endRun(context: RunContext, error: unknown): Promise<PlanRunResult> {
  const end = toRunEnd(error, context.signal);
  return context.finish(end.status, lastOutput(context), end.error);
}

/** Runs one phase of the run; whatever ends the run instead is finished and stored, and `ended` returned. */
export async function orEnd<T>(context: RunContext, phase: () => Promise<T>, ended: T): Promise<T> {
  try {
    return await phase();
  } catch (error) {
    await endRun(context, error);
    return ended;
  }
}
