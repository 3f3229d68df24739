import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import type { PlanRunEvent } from '../../src/engine/events.ts';
import type { Plan, PlanStep } from '../../src/engine/plan-schema.ts';
import { json, scriptStepOutcome, type ModelPrompt, type ScriptedReply } from '../../src/testing/index.ts';
import { step } from './plans.ts';

/** A real `add` tool (createTool) that records every input it ran with. */
export function createAddTool() {
  const inputs: Array<{ a: number; b: number }> = [];
  const tool = createTool({
    id: 'add',
    description: 'Add two numbers',
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    outputSchema: z.object({ sum: z.number() }),
    execute: async ({ a, b }) => {
      inputs.push({ a, b });
      return { sum: a + b };
    },
  });
  return { tool, inputs };
}

/** A real tool that throws `message` on every call and records the inputs it was called with. */
export function createFailingTool(message = 'The lookup service is down') {
  const inputs: Array<{ query: string }> = [];
  const tool = createTool({
    id: 'lookup',
    description: 'Look a value up in the remote service',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => {
      inputs.push({ query });
      throw new Error(message);
    },
  });
  return { tool, inputs };
}

/** A step whose executor is told to use the `add` tool. */
export function addStep(id: string, dependsOn: string[] = []): PlanStep {
  return step(id, dependsOn, { description: `Add the numbers of ${id}`, toolHint: 'add' });
}

/**
 * The planner's answer for `plan` as a model writes it (the model-facing schema): every step with
 * `tool` and `toolArgs`, the arguments as JSON text; null for an executor step.
 */
export function scriptModelPlan(plan: Plan): ScriptedReply {
  const steps = plan.steps.map(({ meta, tool, toolArgs, ...rest }) => {
    void meta;
    return { ...rest, tool: tool ?? null, toolArgs: toolArgs == null ? null : JSON.stringify(toolArgs) };
  });
  return json({ ...plan, steps });
}

/** A direct step that calls `add` with `toolArgs` (references included). */
export function directAddStep(id: string, dependsOn: string[], toolArgs: Record<string, unknown>): PlanStep {
  return step(id, dependsOn, { description: `Add the numbers of ${id}`, tool: 'add', toolArgs });
}

/** The executor's final answer for a step that succeeded. */
export function succeed(output: string): ScriptedReply {
  return scriptStepOutcome({ success: true, output, error: null });
}

/** The executor's final answer for a step that could not be done. */
export function fail(error: string): ScriptedReply {
  return scriptStepOutcome({ success: false, output: '', error });
}

/** An `onEvent` listener with the events it received. */
export function recordEvents() {
  const events: PlanRunEvent[] = [];
  return { events, onEvent: (event: PlanRunEvent) => void events.push(event) };
}

/**
 * Event types, with the step id appended for step events: `step-started:s1`. `model-called`
 * events are left out: they are asserted on their own (`modelCalls`), so a trail reads as the run's story.
 */
export function eventTrail(events: readonly PlanRunEvent[]): string[] {
  return events.filter((event) => event.type !== 'model-called').map((event) => ('stepId' in event ? `${event.type}:${event.stepId}` : event.type));
}

/** The `model-called` events as `role:stepId:mode` (`planner::prompt`, `executor:s1:tool`, `synthesizer::text`). */
export function modelCalls(events: readonly PlanRunEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'model-called' ? [`${event.role}:${event.stepId ?? ''}:${event.mode ?? ''}`] : []));
}

/** The text of the user messages of one model call, joined. */
export function userText(prompt: ModelPrompt | undefined): string {
  if (!prompt) throw new Error('No such model call');
  return prompt
    .filter((message) => message.role === 'user')
    .flatMap((message) => message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])))
    .join('\n');
}

/** The `<data>` block the prompts use to quote `text` from `source`. */
export function dataBlock(source: string, text: string): string {
  return `<data source="${source}">\n${text}\n</data>`;
}

/** Usage of one scripted reply as the run reports it. */
export function tokens(input: number, output: number) {
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}
