import { parsePartialJson } from 'ai';
import { ModelPlanStepSchema, type PlanStep } from '../engine/plan-schema.ts';
import { withoutReasoning } from './tolerant-reader.ts';

/** Longest answer read while it streams; a longer one is read only whole (a plan is far shorter). */
export const MAX_STREAMED_PLAN_CHARS = 262_144;

/** An answer that is JSON from its start, a code fence's opening allowed: its text from the `{`. */
const JSON_START = /^\s*(?:```[\w-]*\s*)?\{/;

/** True while `answer` is too short to tell: nothing yet, a code fence's opening, or a reasoning tag's. */
function mayStillBegin(answer: string): boolean {
  const begun = answer.trimStart();
  return begun === '' || /^`{1,3}[\w-]*\s*$/.test(begun) || ('<thinking>'.startsWith(begun.toLowerCase()) && begun.length < '<thinking>'.length);
}

/** Where a scan of the answer's JSON stands. */
interface Scan {
  /** The JSON's first characters when the scan began (a reasoning block closing later moves the start). */
  head: string;
  /** Characters scanned. */
  at: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** Objects begun inside the plan's `steps` array (depth 2 → 3). */
  steps: number;
}

const freshScan = (json: string): Scan => ({ head: json.slice(0, 16), at: 0, depth: 0, inString: false, escaped: false, steps: 0 });

/** Scans `json` on from `scan.at`; true when a step object began (so the one before it is whole). */
function stepBegan(scan: Scan, json: string): boolean {
  let began = false;
  for (; scan.at < json.length; scan.at++) {
    const char = json[scan.at];
    if (scan.inString) {
      if (scan.escaped) scan.escaped = false;
      else if (char === '\\') scan.escaped = true;
      else if (char === '"') scan.inString = false;
    } else if (char === '"') scan.inString = true;
    else if (char === '{' || char === '[') {
      if (char === '{' && scan.depth === 2 && ++scan.steps > 1) began = true;
      scan.depth++;
    } else if (char === '}' || char === ']') scan.depth--;
  }
  return began;
}

/**
 * Reads a plan while it streams in (`streamPlan`): called with the answer so far, it calls
 * `onStep` with each step written whole — a later step has begun — in plan order, once each, at
 * most `maxSteps`; the last step comes only with the whole plan, which the planner reads as ever.
 * Only an answer that is JSON from its start (after a complete reasoning block, or a code fence's
 * opening) is read, so a plan drafted in reasoning or prose is never started; only executor
 * steps that match the step schema as written are passed on (no direct calls, no repairs).
 * The JSON is scanned once, and parsed again only when a new step begins.
 */
export function planStreamReader(onStep: (step: PlanStep) => void, { maxSteps }: { readonly maxSteps: number }): (text: string) => Promise<void> {
  let passed = 0;
  let scan: Scan | null = null;
  let done = false;
  return async (text) => {
    if (done) return;
    const answer = withoutReasoning(text);
    if (mayStillBegin(answer)) return;
    const start = JSON_START.exec(answer);
    // Prose, or past the cap, or every step passed: the plan is read whole at the end.
    if (!start || answer.length > MAX_STREAMED_PLAN_CHARS || passed >= maxSteps) return void (done = true);
    const json = answer.slice(start[0].length - 1);
    if (scan === null || !json.startsWith(scan.head)) scan = freshScan(json);
    if (!stepBegan(scan, json)) return;
    const { value } = await parsePartialJson(json);
    const steps = (value as { steps?: unknown } | undefined)?.steps;
    if (!Array.isArray(steps)) return;
    for (; passed < Math.min(steps.length - 1, maxSteps); passed++) {
      const parsed = ModelPlanStepSchema.safeParse(steps[passed]);
      if (!parsed.success) continue;
      const { tool, toolArgs, ...step } = parsed.data;
      if (tool === null && toolArgs === null) onStep(step);
    }
  };
}
