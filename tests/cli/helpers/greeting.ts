import type { LoopbackScript } from './loopback-model.ts';

/** A plan step with no tool, `expectedOutput` "<id> done". */
export const step = (id: string, description: string, dependsOn: string[] = []) => ({
  id,
  description,
  expectedOutput: `${id} done`,
  dependsOn,
  toolHint: null,
});

/** Two steps, `wave` after `hello`. */
export const PLAN = { goal: 'Greet the user twice', rationale: null, steps: [step('hello', 'Say hello'), step('wave', 'Wave', ['hello'])] };

/** A successful step outcome, answered after `delayMs`. */
export const succeed = (output: string, delayMs?: number) => ({ json: { success: true, output, error: null }, ...(delayMs ? { delayMs } : {}) });

/** The loopback script of a two-step greeting that completes: 4 model calls of 15 tokens each. */
export const GREETING: LoopbackScript = {
  planner: [{ json: PLAN }],
  executor: [succeed('Hello!'), succeed('*waves*')],
  synthesizer: [{ text: 'Hello! *waves*' }],
};
