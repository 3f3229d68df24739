import { parsePartialJson } from 'ai';
import { ModelPlanStepSchema, type PlanStep } from '../engine/plan-schema.ts';

/** Longest answer read while it streams, reasoning included; a longer one is read only whole (a plan is far shorter). */
export const MAX_STREAMED_PLAN_CHARS = 65_536;

/** A leading reasoning block's opening tag, and any reasoning block's closing tag (as the tolerant reader knows them). */
const OPEN_TAG = /^<(?:think|thinking)>/i;
const CLOSE_TAG = /<\/(?:think|thinking)\s*>/i;
/** The most characters of one piece a closing tag can share with the piece before it. */
const TAG_CARRY = '</thinking >'.length;
/** An answer that is JSON from its start, a code fence's opening allowed. */
const JSON_START = /^(?:```[\w-]*\s*)?\{/;

/** True while `start` (the answer so far, leading space trimmed) is too short to tell what it is. */
function undecided(start: string): boolean {
  return start === '' || /^`{1,3}[\w-]*\s*$/.test(start) || ['<think>', '<thinking>'].some((tag) => tag.startsWith(start.toLowerCase()));
}

/** Where a scan of the plan's JSON stands. */
interface Scan {
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** Objects begun inside the plan's `steps` array (depth 2 → 3). */
  steps: number;
}

/** Scans `piece` on; true when a step object began in it (so the one before it is whole). */
function stepBegan(scan: Scan, piece: string): boolean {
  let began = false;
  for (const char of piece) {
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

/** Where the answer stands: before its JSON, inside a leading reasoning block, in the JSON, or no longer read. */
type ReadState = 'start' | 'reasoning' | 'json' | 'done';

/** The reader behind {@link planStreamReader}; one per planner call. */
class PlanStream {
  #state: ReadState = 'start';
  /** What came before the JSON and is not decided yet (only a closing tag's length of reasoning). */
  #pending = '';
  #seen = 0;
  #passed = 0;
  /** The JSON's last characters, for a closing tag split across pieces. */
  #tail = '';
  readonly #json: string[] = [];
  readonly #scan: Scan = { depth: 0, inString: false, escaped: false, steps: 0 };
  readonly #onStep: (step: PlanStep) => void;
  readonly #maxSteps: number;

  constructor(onStep: (step: PlanStep) => void, maxSteps: number) {
    this.#onStep = onStep;
    this.#maxSteps = maxSteps;
  }

  async read(piece: string): Promise<void> {
    const fresh = this.#jsonOf(piece);
    if (fresh === null) return;
    this.#json.push(fresh);
    this.#tail = (this.#tail + fresh).slice(-TAG_CARRY);
    if (stepBegan(this.#scan, fresh) && this.#passed < this.#maxSteps) this.#pass(await parsePartialJson(this.#json.join('')));
  }

  /** The part of `piece` that belongs to the plan's JSON, or null (not there yet, or no longer read). */
  #jsonOf(piece: string): string | null {
    if (this.#state === 'done') return null;
    this.#seen += piece.length;
    // A closing tag after the JSON began: it was reasoning a chat template opened.
    const stop = this.#seen > MAX_STREAMED_PLAN_CHARS || (this.#state === 'json' && CLOSE_TAG.test(this.#tail + piece));
    if (stop) this.#state = 'done';
    if (this.#state !== 'start' && this.#state !== 'reasoning') return this.#state === 'json' ? piece : null;
    this.#pending += piece;
    // Not null only once the answer turned out to be JSON.
    const first = this.#decide();
    if (first === null || !CLOSE_TAG.test(first)) return first;
    this.#state = 'done';
    return null;
  }

  /** Decides what the answer so far is; returns the JSON's first piece once it is JSON. */
  #decide(): string | null {
    for (;;) {
      if (this.#state === 'reasoning') {
        const close = CLOSE_TAG.exec(this.#pending);
        this.#pending = close ? this.#pending.slice(close.index + close[0].length) : this.#pending.slice(-TAG_CARRY);
        if (!close) return null;
        this.#state = 'start';
      }
      const start = this.#pending.trimStart();
      if (OPEN_TAG.test(start)) {
        this.#pending = start.replace(OPEN_TAG, '');
        this.#state = 'reasoning';
        continue;
      }
      this.#pending = start;
      if (undecided(start)) return null;
      const opening = JSON_START.exec(start);
      this.#state = opening ? 'json' : 'done';
      return opening ? start.slice(opening[0].length - 1) : null;
    }
  }

  /** Passes on the steps written whole in `parsed` not passed yet. */
  #pass({ value }: { readonly value: unknown }): void {
    const steps = (value as { steps?: unknown } | undefined)?.steps;
    if (!Array.isArray(steps)) return;
    for (; this.#passed < Math.min(steps.length - 1, this.#maxSteps); this.#passed++) {
      const parsed = ModelPlanStepSchema.safeParse(steps[this.#passed]);
      if (!parsed.success) continue;
      const { tool, toolArgs, ...step } = parsed.data;
      if (tool === null && toolArgs === null) this.#onStep(step);
    }
  }
}

/**
 * Reads a plan while it streams in (`streamPlan`): called with each piece of the answer's text,
 * it calls `onStep` with each step written whole — a later step has begun — in plan order, once
 * each, at most `maxSteps`; the last step comes only with the whole plan, which the planner reads
 * as ever. Only an answer that is JSON from its start (after complete leading reasoning blocks, or
 * a code fence's opening) is read: words before the JSON may be reasoning a chat template opened,
 * and a closing reasoning tag after the JSON began stops the reading (it was reasoning). Only
 * executor steps that match the step schema as written are passed on (no direct calls, no repairs).
 * Each character is looked at once; the JSON is parsed again only when a new step begins.
 */
export function planStreamReader(onStep: (step: PlanStep) => void, { maxSteps }: { readonly maxSteps: number }): (piece: string) => Promise<void> {
  const stream = new PlanStream(onStep, maxSteps);
  return (piece) => stream.read(piece);
}
