import { createTool } from '@mastra/core/tools';
import { StepOutcomeSchema } from '../engine/plan-schema.ts';

/** The name of the executor's final-answer tool in `tool` mode. */
export const REPORT_TOOL_NAME = 'report_step_outcome';

/**
 * The executor's final-answer tool (`tool` mode): its input is a StepOutcome. The step ends as soon
 * as the model calls it; the port reads the call's arguments, so what `execute` returns never
 * reaches a model unless the arguments were unreadable and the loop goes on.
 */
export const reportStepOutcomeTool = createTool({
  id: REPORT_TOOL_NAME,
  // Short: it goes with every turn of a step in `tool` mode (issue 11).
  description: 'Report the step outcome once, after your other tool calls have returned; ends the step.',
  inputSchema: StepOutcomeSchema,
  execute: async () => ({ recorded: true }),
});

/** A tool call as Mastra reports it (a chunk with `payload`, or a plain AI SDK call). */
interface ToolCallLike {
  readonly toolName?: string;
  readonly args?: unknown;
  readonly input?: unknown;
  readonly payload?: { readonly toolName?: string; readonly args?: unknown };
}

/** One model turn as Mastra reports it. */
export interface TurnLike {
  readonly toolCalls?: readonly ToolCallLike[];
  /** What the model wrote in this turn. */
  readonly text?: string;
}

const nameOf = (call: ToolCallLike) => call.payload?.toolName ?? call.toolName;
const argsOf = (call: ToolCallLike) => call.payload?.args ?? call.args ?? call.input;

/** The arguments of the last `report_step_outcome` call in `turn`, or undefined when it made none. */
export function reportedOutcome(turn: TurnLike | undefined): unknown {
  const call = turn?.toolCalls?.findLast((candidate) => nameOf(candidate) === REPORT_TOOL_NAME);
  return call === undefined ? undefined : argsOf(call);
}

/** The arguments of the last `report_step_outcome` call of the whole loop, or undefined. */
export function lastReportedOutcome(turns: readonly TurnLike[]): unknown {
  for (let index = turns.length - 1; index >= 0; index--) {
    const outcome = reportedOutcome(turns[index]);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

/** Tool calls of `turns` other than the final-answer tool: the work the step really did. */
export function countWorkToolCalls(turns: readonly TurnLike[]): number {
  return turns.reduce((count, turn) => count + (turn.toolCalls ?? []).filter((call) => nameOf(call) !== REPORT_TOOL_NAME).length, 0);
}

/**
 * A Mastra `stopWhen` predicate: stop after the turn in which the model reported an outcome that
 * `isReadable` accepts. An unreadable report lets the loop go on, so the model sees the tool's
 * validation error and reports again within its turn budget.
 */
export function stopWhenReported(isReadable: (outcome: unknown) => boolean) {
  return ({ steps }: { steps: readonly TurnLike[] }): boolean => {
    const outcome = reportedOutcome(steps.at(-1));
    return outcome !== undefined && isReadable(outcome);
  };
}
