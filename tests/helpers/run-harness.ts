import type { PlanRunEvent, PlanRunEventType, PlanRunListener } from '../../src/engine/events.ts';
import type { ToolInfo } from '../../src/engine/ports.ts';
import { runPlan } from '../../src/engine/run-plan.ts';
import type { RunPlanInput } from '../../src/engine/run-input.ts';
import type { RunSettings } from '../../src/engine/settings.ts';
import { fakeExecutor, fakePlanner, fakeSynthesizer, settings, type ExecutorAction } from './fake-roles.ts';

/** The tools every harness run offers. */
export const TOOLS: readonly ToolInfo[] = [{ name: 'search', description: 'Searches the web' }];

/** The events of a run of two steps one after the other, in order. */
export const TWO_STEP_EVENTS: readonly PlanRunEventType[] = [
  'run-started',
  'plan-created',
  'step-started',
  'step-finished',
  'step-started',
  'step-finished',
  'synthesis-finished',
  'run-finished',
];

/** The task every harness run is given. */
export const TASK = 'Write the release notes';

/** What a harness run is made of; every field optional. */
export interface HarnessOptions {
  readonly plans?: unknown[];
  readonly decisions?: unknown[];
  readonly script?: Record<string, ExecutorAction[]>;
  readonly settings?: Partial<RunSettings>;
  readonly synthesis?: string;
  readonly abortSignal?: AbortSignal;
  /** Called with each event after it is recorded. */
  readonly onEvent?: PlanRunListener;
}

/** Fakes for the three roles wired into a `runPlan` input that records every event. */
export function harness(options: HarnessOptions = {}) {
  const planner = fakePlanner({ plans: options.plans, decisions: options.decisions });
  const executor = fakeExecutor({ script: options.script });
  const synthesizer = fakeSynthesizer({ output: options.synthesis });
  const events: PlanRunEvent[] = [];
  const input: RunPlanInput = {
    task: TASK,
    planner,
    executor,
    synthesizer,
    tools: TOOLS,
    settings: settings(options.settings),
    runId: 'run-1',
    abortSignal: options.abortSignal,
    onEvent: (event) => {
      events.push(event);
      return options.onEvent?.(event);
    },
  };
  return {
    planner,
    executor,
    synthesizer,
    events,
    input,
    run: () => runPlan(input),
    /** Event types in order. */
    types: (): PlanRunEventType[] => events.map((event) => event.type),
    /** The events of one type, in order. */
    ofType: <T extends PlanRunEventType>(type: T) => events.filter((event): event is Extract<PlanRunEvent, { type: T }> => event.type === type),
  };
}
