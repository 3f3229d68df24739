/**
 * The scripted world every peer of `npm run bench -- peers` runs in: a task, its steps, and one
 * tool, `work`, that returns `result of <step text>` (or throws once for a step marked to fail).
 * Framework-free: the LangChain peers (bench/peers) and this project's adapter both build on it.
 */
import type { Ledger } from './ledger.ts';

/** One step of the scripted plan. */
export interface WorldStep {
  /** `S01` … for a line, `A1` … for chains. */
  readonly id: string;
  /** The step as a planner writes it; it starts with `<id>:`, so any prompt quoting it names the step. */
  readonly text: string;
  /** Ids of the steps whose outputs this one uses. */
  readonly dependsOn: readonly string[];
}

/** A task, the plan every planner is scripted to write for it, and which steps fail once. */
export interface World {
  /** The task given to every peer. */
  readonly task: string;
  /** The plan, in order. */
  readonly steps: readonly WorldStep[];
  /** Ids of the steps whose first `work` call throws; an id is removed when it has failed. */
  readonly failOnce: Set<string>;
}

/** The name of the world's one tool. */
export const WORK_TOOL = 'work';
/** Its description, the same for every framework. */
export const WORK_DESCRIPTION = 'Carry out one plan step and return its result.';
/** The description of its one argument, `step`. */
export const WORK_STEP_DESCRIPTION = 'the plan step to carry out';
/** The description of the optional `input` argument this project's direct steps fill with a `$ref`. */
export const WORK_INPUT_DESCRIPTION = 'the output of the step this one uses';

const pad = (index: number) => String(index).padStart(2, '0');

/** `count` steps in a line, S01 → S02 → …, each using the output of the one before. */
export function lineWorld(count: number, failOnce: readonly string[] = []): World {
  const steps = Array.from({ length: count }, (_, index): WorldStep => {
    const id = `S${pad(index + 1)}`;
    const previous = index === 0 ? null : `S${pad(index)}`;
    return { id, text: `${id}: process item ${index + 1}${previous ? ` using the output of ${previous}` : ''}`, dependsOn: previous ? [previous] : [] };
  });
  return { task: `Process ${count} work items in order and report when all are done.`, steps, failOnce: new Set(failOnce) };
}

/**
 * `chains` independent chains (A, B, C, …) of `length` steps each: A1 → A2 → …, B1 → B2 → …, …;
 * planned chain by chain (A1, A2, …, B1, …), or with `order: 'levels'` level by level (A1, B1, …, A2, …).
 */
export function chainsWorld(chains: number, length: number, order: 'chains' | 'levels' = 'chains'): World {
  const steps: WorldStep[] = [];
  for (let chain = 0; chain < chains; chain++) {
    const name = String.fromCharCode(65 + chain);
    for (let position = 1; position <= length; position++) {
      const id = `${name}${position}`;
      const previous = position === 1 ? null : `${name}${position - 1}`;
      steps.push({
        id,
        text: `${id}: process item ${id}${previous ? ` using the output of ${previous}` : ' (independent)'}`,
        dependsOn: previous ? [previous] : [],
      });
    }
  }
  const level = (step: WorldStep) => Number(step.id.slice(1));
  if (order === 'levels') steps.sort((a, b) => level(a) - level(b));
  return { task: `Process ${chains} independent chains of ${length} items and report when all are done.`, steps, failOnce: new Set() };
}

/** What `work` returns for a step: its text after `result of `, so a report quoting it shows the step done. */
export const resultOf = (step: WorldStep) => `result of ${step.text}`;

/** The marker of a done step in any prompt: `result of <id>:`. */
export const doneMarker = (id: string) => `result of ${id}:`;

const namePatterns = new Map<string, RegExp>();
/** `<id>:` as a whole word, compiled once per id (the scripted models look up steps on every call). */
const namePattern = (id: string) => namePatterns.get(id) ?? namePatterns.set(id, new RegExp(`\\b${id}:`)).get(id)!;

/** The step whose `<id>:` comes first in `text`, or undefined when none is named. */
export function firstStepNamed(world: World, text: string): WorldStep | undefined {
  let first: { step: WorldStep; at: number } | undefined;
  for (const step of world.steps) {
    const at = text.search(namePattern(step.id));
    if (at >= 0 && (first === undefined || at < first.at)) first = { step, at };
  }
  return first?.step;
}

/** Resolves after `ms` milliseconds; at once, without a timer, for 0. */
export const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * The `work` tool's behaviour, shared by every framework's wrapper: waits `toolMs`, records the
 * run in `ledger` (with `input`, the output of the step it uses, when the call passed one), throws
 * once for a step in `world.failOnce`, else returns {@link resultOf}.
 */
export async function doWork(world: World, ledger: Ledger, stepText: string, toolMs: number, input?: string): Promise<string> {
  const started = performance.now();
  ledger.enter('tool');
  try {
    await sleep(toolMs);
    const step = firstStepNamed(world, stepText);
    const fails = step !== undefined && world.failOnce.delete(step.id);
    ledger.toolRuns.push({ step: step?.id ?? '?', ok: step !== undefined && !fails, ...(input === undefined ? {} : { input }) });
    if (step === undefined) throw new Error(`work: no step of the plan named in ${JSON.stringify(stepText.slice(0, 80))}`);
    if (fails) throw new Error(`work on ${step.id} failed (injected, once)`);
    return resultOf(step);
  } finally {
    ledger.leave('tool', performance.now() - started);
  }
}
