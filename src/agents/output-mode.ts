import type { Agent } from '@mastra/core/agent';
import type { RequestContext } from '@mastra/core/request-context';
import { InvalidOptionsError } from '../engine/errors.ts';
import { describeModelServer, isOpenAIApi, isScriptedModel } from './model-server.ts';

/**
 * How a role obtains its structured answer from the model:
 * - `native`: the request carries the schema as `response_format` (strict `json_schema`); for
 *   OpenAI's own API, which honours it together with tools;
 * - `prompt`: no `response_format`; the prompt shows the fields and asks for one JSON object;
 * - `tool` (executor only): the executor gets a final-answer tool, `report_step_outcome`, and its
 *   step ends when the model calls it; works wherever tool calling works;
 * - `text` (executor only): no schema at all (issue 11): the step's output is the model's final
 *   answer as written, and one whose first or last paragraph opens with `FAILED:` is a step that
 *   cannot be done; the fewest tokens per turn, works wherever tool calling works, and an output
 *   is never escaped into a JSON string — but a failure is only seen when the model says it so.
 */
export type StructuredOutputMode = 'native' | 'prompt' | 'tool' | 'text';

/** The planner's (and replanner's) choice: `auto` or a mode; a planner has no tools and answers a plan, so no `tool` or `text` mode. */
export type PlannerOutputMode = 'auto' | 'native' | 'prompt';

/** The executor's choice: `auto` or any mode. */
export type ExecutorOutputMode = 'auto' | StructuredOutputMode;

/** A structured-output choice per role; a role left out is `auto`. */
export interface StructuredOutputOptions {
  /** Plans and replan decisions. @default 'auto' */
  readonly planner?: PlannerOutputMode;
  /** Step outcomes. @default 'auto' */
  readonly executor?: ExecutorOutputMode;
}

/** The roles with a structured answer. */
export type StructuredRole = keyof StructuredOutputOptions;

const ALLOWED: Readonly<Record<StructuredRole, readonly string[]>> = {
  planner: ['auto', 'native', 'prompt'],
  executor: ['auto', 'native', 'prompt', 'tool', 'text'],
};

/** Throws InvalidOptionsError unless `mode` is a mode `role` accepts (undefined is `auto`). */
export function checkOutputMode<R extends StructuredRole>(role: R, mode: unknown): NonNullable<StructuredOutputOptions[R]> {
  if (mode === undefined) return 'auto' as NonNullable<StructuredOutputOptions[R]>;
  if (typeof mode === 'string' && ALLOWED[role].includes(mode)) return mode as NonNullable<StructuredOutputOptions[R]>;
  const allowed = ALLOWED[role].map((name) => `"${name}"`).join(', ');
  throw new InvalidOptionsError(`Expected \`structuredOutput.${role}\` to be one of ${allowed}, got ${JSON.stringify(mode)}`);
}

/** Throws InvalidOptionsError for an unknown role key or mode; returns the options with every role filled in. */
export function checkOutputModes(options: StructuredOutputOptions | undefined): Required<StructuredOutputOptions> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidOptionsError(`Expected \`structuredOutput\` to be an object like { planner: 'prompt', executor: 'tool' }, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!(key in ALLOWED)) throw new InvalidOptionsError(`Unknown role \`structuredOutput.${key}\`; use planner or executor`);
  }
  return { planner: checkOutputMode('planner', options?.planner), executor: checkOutputMode('executor', options?.executor) };
}

// The mode an agent factory was given, so that whoever builds the port later (PlanAndExecute, the workflow) uses it.
const agentModes = new WeakMap<Agent, PlannerOutputMode | ExecutorOutputMode>();

/**
 * Remembers `mode` as `agent`'s structured-output mode for `role` (the agent factories' option);
 * returns the agent. Throws InvalidOptionsError for a mode the role does not accept.
 */
export function rememberOutputMode<R extends StructuredRole>(agent: Agent, role: R, mode: StructuredOutputOptions[R] | undefined): Agent {
  if (mode !== undefined) agentModes.set(agent, checkOutputMode(role, mode));
  return agent;
}

/** The mode a port uses: its own option, else the one its agent was created with, else `auto`. */
export function chosenOutputMode<R extends StructuredRole>(
  role: R,
  agent: Agent,
  mode: StructuredOutputOptions[R] | undefined,
): NonNullable<StructuredOutputOptions[R]> {
  return checkOutputMode(role, mode ?? agentModes.get(agent));
}

/**
 * The mode of one call. `auto` decides from the agent's model: OpenAI's own API (a Responses
 * model, or api.openai.com) → `native` for every role; the scripted test models → `native` (what
 * they always got; they honour any request); any other server (an `openai.chat` model on another
 * base URL, any other provider) → `prompt` for the planner and `tool` for the executor, so that tool
 * calls keep working on servers that drop them when a `response_format` is set (Ollama, vLLM).
 */
export async function resolveOutputMode(
  role: StructuredRole,
  agent: Agent,
  mode: PlannerOutputMode | ExecutorOutputMode,
  requestContext?: RequestContext,
): Promise<StructuredOutputMode> {
  if (mode !== 'auto') return mode;
  const server = await describeModelServer(agent, requestContext);
  if (isOpenAIApi(server) || isScriptedModel(server)) return 'native';
  return role === 'executor' ? 'tool' : 'prompt';
}

// The executor-only modes, named alone: the planner takes what suits the mode.
const EXECUTOR_ONLY: Readonly<Record<string, StructuredOutputOptions>> = {
  tool: { planner: 'prompt', executor: 'tool' },
  text: { planner: 'auto', executor: 'text' },
};

/**
 * The `PLAN_EXECUTE_OUTPUT_MODE` value as per-role modes: `auto`, `native` or `prompt` for every
 * role; `tool` for the executor with `prompt` for the planner; `text` for the executor with `auto`
 * for the planner; or a list such as
 * `planner=prompt,executor=tool`. Blank or unset: undefined (every role `auto`).
 * @throws InvalidOptionsError for anything else, naming the variable.
 */
export function parseOutputModes(value: string | undefined, variable = 'PLAN_EXECUTE_OUTPUT_MODE'): StructuredOutputOptions | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  try {
    if (!text.includes('='))
      return checkOutputModes(
        (Object.hasOwn(EXECUTOR_ONLY, text) ? EXECUTOR_ONLY[text] : undefined) ?? { planner: text as PlannerOutputMode, executor: text as ExecutorOutputMode },
      );
    const pairs = text.split(',').map((pair) => pair.split('=').map((part) => part.trim()));
    return checkOutputModes(Object.fromEntries(pairs) as StructuredOutputOptions);
  } catch (error) {
    throw new InvalidOptionsError(
      `${variable}=${JSON.stringify(text)} is not valid (${(error as Error).message}); use auto, native, prompt, tool, text, or a list such as planner=prompt,executor=tool`,
    );
  }
}
