/**
 * This project's scripted models for the side-by-side bench: one AI SDK mock per role that answers
 * from the world (the plan, a `work` call then the step's outcome, a revision with the steps not
 * done, the final text), whatever the structured-output mode, sleeps the model latency and records
 * every call with its tokens in the run's ledger.
 */
import { MockLanguageModelV4 } from 'ai/test';
import type { MastraModelConfig } from '@mastra/core/llm';
import { REPORT_TOOL_NAME } from '../../src/agents/report-tool.ts';
import { TEXT_OUTCOME_INSTRUCTION } from '../../src/agents/text-outcome.ts';
import { asMastraModel } from '../../src/testing/as-mastra-model.ts';
import { simulateReadableStream } from 'ai';
import { type ModelCallOptions, toGenerateResult, toModelUsage, toStreamResult } from '../../src/testing/model-protocol.ts';
import type { ScriptedReply } from '../../src/testing/responses.ts';
import type { Ledger, Role } from './ledger.ts';
import { executorStep, lastUserText, offeredTools, plannedArguments, requestText, responseSchema, toolResults } from './ours-request.ts';
import { inputTokensOf, tokensOf } from './tokens.ts';
import { doneMarker, sleep, WORK_TOOL, type World, type WorldStep } from './world.ts';

/** What the run around the models provides. */
export interface OursModelContext {
  readonly world: World;
  readonly ledger: Ledger;
  readonly latencyMs: number;
  /** The planner writes direct steps (see {@link directArgs}). @default false */
  readonly direct?: boolean;
  /**
   * When set, the planner's first answer, streamed, comes in one piece per step spread over this
   * many ms (a model writing its plan) instead of whole after the latency. @default none
   */
  readonly planStreamMs?: number;
}

/** The model role of one mock: the planner's mock also answers the replanner. */
export type OursModelRole = Exclude<Role, 'replanner'>;

type Answer = { readonly role: Role; readonly step?: string; readonly text: string } | { readonly role: Role; readonly step?: string; readonly call: ToolCall };
type ToolCall = { readonly toolName: string; readonly input: Record<string, unknown> };

type SchemaNode = { readonly properties?: Record<string, SchemaNode>; readonly items?: SchemaNode; readonly anyOf?: readonly SchemaNode[] };

/** The property names of a step in the request's schema (`steps` may be nullable: an `anyOf`). */
function stepFieldNames(options: ModelCallOptions): string[] {
  const steps = (responseSchema(options) as SchemaNode | undefined)?.properties?.steps;
  const array = steps?.items ? steps : steps?.anyOf?.find((branch) => branch.items);
  return Object.keys(array?.items?.properties ?? {});
}

const KNOWN_STEP_FIELDS = ['id', 'description', 'expectedOutput', 'dependsOn', 'toolHint', 'tool', 'toolArgs'];

/** A direct step's arguments as the model writes them (JSON text): the step, and a `$ref` to the step it uses. */
export function directArgs(step: WorldStep): string {
  const [previous] = step.dependsOn;
  return JSON.stringify({ step: step.text, ...(previous === undefined ? {} : { input: { $ref: previous } }) });
}

/**
 * The plan's steps as this project's planner writes them: executor steps (`tool` and `toolArgs`
 * null), or direct steps calling `work` when `direct`. A field of the step schema the bench does
 * not know (a newer schema) is sent as null, so a strict schema still accepts the plan.
 */
function planSteps(steps: readonly WorldStep[], options: ModelCallOptions, direct: boolean) {
  const extra = stepFieldNames(options).filter((key) => !KNOWN_STEP_FIELDS.includes(key));
  return steps.map((step) => ({
    id: step.id,
    description: step.text,
    expectedOutput: `the result of ${step.id}`,
    dependsOn: [...step.dependsOn],
    toolHint: WORK_TOOL,
    tool: direct ? WORK_TOOL : null,
    toolArgs: direct ? directArgs(step) : null,
    ...Object.fromEntries(extra.map((key) => [key, null])),
  }));
}

/** A plan first; after that, a revision with every step whose work is not done (the failed one included). */
function plannerAnswer({ world, ledger, direct = false }: OursModelContext, options: ModelCallOptions): Answer {
  const isRevision = ledger.count('planner') > 0;
  if (!isRevision) return { role: 'planner', text: JSON.stringify({ goal: world.task, steps: planSteps(world.steps, options, direct), rationale: null }) };
  const left = world.steps.filter((step) => !ledger.isDone(step.id));
  return {
    role: 'replanner',
    step: ledger.lastExecutorStep,
    text: JSON.stringify({ action: 'revise', steps: planSteps(left, options, direct), rationale: 'Redo what is left.' }),
  };
}

/**
 * A `work` call first — the planned call's arguments when the prompt hands over a direct step whose
 * call failed, else `{ step }` — and once its result is in, the outcome (a report call in `tool`
 * mode, the result or `FAILED: …` when the prompt asks for text, else JSON text); a planned call's outcome is the tool's result as it is, as the direct call's would have been.
 */
function executorAnswer({ world, ledger }: OursModelContext, options: ModelCallOptions): Answer {
  const step = executorStep(world, ledger, options.prompt);
  const planned = plannedArguments(options.prompt);
  const observation = toolResults(options.prompt).at(-1);
  if (observation === undefined) return { role: 'executor', step: step.id, call: { toolName: WORK_TOOL, input: planned ?? { step: step.text } } };
  const outcome = observation.includes(doneMarker(step.id))
    ? { success: true, output: planned ? observation : `Completed ${step.id}. ${observation}`, error: null }
    : { success: false, output: '', error: `FAILED ${step.id}: ${observation.slice(0, 200)}` };
  const reportsByTool = offeredTools(options).some((tool) => tool.name === REPORT_TOOL_NAME);
  if (reportsByTool) return { role: 'executor', step: step.id, call: { toolName: REPORT_TOOL_NAME, input: outcome } };
  const asText = lastUserText(options.prompt).includes(TEXT_OUTCOME_INSTRUCTION);
  return { role: 'executor', step: step.id, text: asText ? (outcome.success ? outcome.output : `FAILED: ${outcome.error}`) : JSON.stringify(outcome) };
}

function answer(role: OursModelRole, context: OursModelContext, options: ModelCallOptions): Answer {
  if (role === 'planner') return plannerAnswer(context, options);
  if (role === 'executor') return executorAnswer(context, options);
  return { role: 'synthesizer', text: `All ${context.world.steps.length} steps are done.` };
}

/** Answers one call, records it, then waits `waitMs`, the latency by default (time the ledger counts as the model's). */
async function reply(role: OursModelRole, context: OursModelContext, options: ModelCallOptions, waitMs = context.latencyMs): Promise<ScriptedReply> {
  const started = performance.now();
  context.ledger.enter('model');
  try {
    const chosen = answer(role, context, options);
    const content = 'call' in chosen ? [{ type: 'tool-call' as const, ...chosen.call }] : [{ type: 'text' as const, text: chosen.text }];
    const usage = { input: inputTokensOf(requestText(options)), output: tokensOf(JSON.stringify(content).length) };
    context.ledger.record({ role: chosen.role, step: chosen.step, inputTokens: usage.input, outputTokens: usage.output });
    await sleep(waitMs);
    return { type: 'reply', content, finishReason: 'call' in chosen ? 'tool-calls' : 'stop', usage };
  } finally {
    context.ledger.leave('model', performance.now() - started);
  }
}

/** The scripted model of `role` for one run. */
export function oursModel(role: OursModelRole, context: OursModelContext): MastraModelConfig {
  let calls = 0;
  const writesSlowly = () => role === 'planner' && context.planStreamMs !== undefined && context.ledger.count('planner') === 0;
  const model = new MockLanguageModelV4({
    provider: 'side-by-side',
    modelId: role,
    // Unstreamed, the slow plan comes whole once the writing time is over.
    doGenerate: async (options) => toGenerateResult(await reply(role, context, options, writesSlowly() ? context.planStreamMs : undefined), calls++),
    doStream: async (options) => {
      if (!writesSlowly()) return toStreamResult(await reply(role, context, options), calls++);
      const written = await reply(role, context, options, 0);
      calls++;
      return writtenOver(written, context.planStreamMs!);
    },
  });
  return asMastraModel(model);
}

/** `reply` (one text part: a plan) as a stream whose text comes one step at a time, its parts spread evenly over `ms`. */
function writtenOver(reply: ScriptedReply, ms: number) {
  const [part] = reply.content;
  const pieces = part?.type === 'text' ? part.text.split(/(?=\{"id":)/) : [];
  const chunks = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 'plan' },
    ...pieces.map((delta) => ({ type: 'text-delta', id: 'plan', delta })),
    { type: 'text-end', id: 'plan' },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: toModelUsage(reply.usage) },
  ];
  return { stream: simulateReadableStream({ chunks, initialDelayInMs: null, chunkDelayInMs: ms / chunks.length }) } as Awaited<
    ReturnType<typeof toStreamResult>
  >;
}
