import { z } from 'zod';
import { cutText } from '../../engine/cut-text.ts';
import type { PlanRunEvent, PlanRunEventType, PlanRunListener } from '../../engine/events.ts';

/** Longest `summary` of a progress chunk before it is cut (a step output or a task can be any size). */
export const MAX_PROGRESS_SUMMARY_CHARS = 500;

/** Chunks a workflow step lets wait for the stream at once; past that, events are dropped (the `seq` gap shows it). */
export const MAX_PENDING_PROGRESS_CHUNKS = 64;

const EVENT_TYPES = [
  'run-started',
  'run-resumed',
  'plan-created',
  'plan-cached',
  'plan-invalid',
  'plan-approved',
  'plan-rejected',
  'step-started',
  'step-finished',
  'step-failed',
  'step-retried',
  'step-skipped',
  'replan-decided',
  'plan-revised',
  'model-called',
  'step-warning',
  'synthesis-finished',
  'run-finished',
] as const satisfies readonly PlanRunEventType[];
// Compile-time proof that every engine event type is listed.
const everyType: Exclude<PlanRunEventType, (typeof EVENT_TYPES)[number]> extends never ? true : never = true;
void everyType;

/**
 * One engine event as a Plan & Execute workflow step writes it to its `writer` while the run goes
 * on: it reaches `run.stream()` as the `output` of a `workflow-step-output` chunk. Small and
 * bounded: the event's type, its plan step and one line on what happened, secrets redacted.
 */
export const PlanRunProgressSchema = z.object({
  kind: z.literal('plan-execute-progress').describe('Marks a Plan & Execute progress chunk among other step output'),
  seq: z.number().int().min(1).describe('1, 2, … within one workflow step; a gap means chunks were dropped because the stream fell behind'),
  type: z.enum(EVENT_TYPES).describe('The engine event, such as plan-created, step-started, step-finished, replan-decided, run-finished'),
  runId: z.string().describe('The run (the workflow run id)'),
  timestamp: z.string().describe('When the event happened (ISO 8601)'),
  stepId: z.string().nullable().describe('The plan step the event is about; null for run-level events'),
  summary: z.string().describe(`What happened, in one line of at most ${MAX_PROGRESS_SUMMARY_CHARS} characters (and a cut marker)`),
});

/** One progress chunk; see PlanRunProgressSchema. */
export type PlanRunProgress = z.infer<typeof PlanRunProgressSchema>;

/**
 * The progress in a chunk of a Plan & Execute workflow's `run.stream()` (`fullStream`, or a
 * client-js stream record): the `output` of a `workflow-step-output` chunk; null for any other chunk.
 * @example for await (const chunk of run.stream({ inputData }).fullStream) console.log(readProgress(chunk)?.type);
 */
export function readProgress(chunk: unknown): PlanRunProgress | null {
  if (typeof chunk !== 'object' || chunk === null || (chunk as { type?: unknown }).type !== 'workflow-step-output') return null;
  const parsed = PlanRunProgressSchema.safeParse((chunk as { payload?: { output?: unknown } }).payload?.output);
  return parsed.success ? parsed.data : null;
}

/** Where a workflow step writes: the `writer` Mastra hands its execute function. */
export interface ProgressSink {
  write(chunk: unknown): Promise<void>;
}

/** A listener that writes progress chunks in order, and a way to wait until they are written. */
export interface ProgressWriter {
  /** Turns each event into a chunk and queues it for the sink. */
  readonly listener: PlanRunListener;
  /** Resolves once every queued chunk is written (a workflow step awaits it before it returns, so its chunks come before its result). */
  flush(): Promise<void>;
}

/**
 * Writes a run's events to `sink` one at a time, in order, as progress chunks. At most
 * `maxPending` chunks wait at once; later events are dropped until the sink catches up. A sink
 * that fails is reported once to `onError` and never breaks the run. The events come redacted
 * from the run; the chunks carry nothing else.
 */
export function createProgressWriter(
  sink: ProgressSink | undefined,
  { maxPending = MAX_PENDING_PROGRESS_CHUNKS, onError }: { maxPending?: number; onError: (error: unknown) => void },
): ProgressWriter {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let seq = 0;
  let failed = false;
  const listener: PlanRunListener = (event) => {
    seq += 1;
    if (!sink || failed || pending >= maxPending) return;
    pending += 1;
    const chunk = toProgress(event, seq);
    tail = tail
      // A sink that failed is not written to again, queued chunks included.
      .then(() => (failed ? undefined : sink.write(chunk)))
      .catch((error: unknown) => {
        failed = true;
        onError(error);
      })
      .finally(() => void (pending -= 1));
  };
  return { listener, flush: () => tail };
}

/** An engine event as a progress chunk. */
export function toProgress(event: PlanRunEvent, seq: number): PlanRunProgress {
  const stepId = 'stepId' in event ? event.stepId : null;
  return {
    kind: 'plan-execute-progress',
    seq,
    type: event.type,
    runId: event.runId,
    timestamp: event.timestamp,
    stepId,
    summary: cutText(summaryOf(event).replace(/\s+/g, ' ').trim(), MAX_PROGRESS_SUMMARY_CHARS),
  };
}

function summaryOf(event: PlanRunEvent): string {
  switch (event.type) {
    case 'run-started':
      return event.task;
    case 'run-resumed':
      return `Resumed; done before: ${event.doneStepIds.join(', ') || 'nothing'}`;
    case 'plan-created':
      return `Plan (attempt ${event.attempt}): ${event.plan.steps.map((step) => step.id).join(', ')}: ${event.plan.goal}`;
    case 'plan-cached':
      return `Plan from the cache: ${event.plan.steps.map((step) => step.id).join(', ')}: ${event.plan.goal}`;
    case 'plan-invalid':
      return `Plan invalid (attempt ${event.attempt}): ${event.issues.join('; ')}`;
    case 'plan-approved':
      return event.edited ? 'Plan approved with edits' : 'Plan approved';
    case 'plan-rejected':
      return 'Plan rejected at approval';
    case 'step-started':
      return `Attempt ${event.attempt}: ${event.description}`;
    case 'step-finished':
      return event.result.output ?? '';
    case 'step-failed':
      return event.result.error ?? '';
    case 'step-retried':
      return `Retry (attempt ${event.attempt}): ${event.error}`;
    case 'step-skipped':
      return event.reason;
    case 'replan-decided':
      return `${event.action}: ${event.rationale}`;
    case 'plan-revised':
      return `Revision ${event.revision.revision} (${event.revision.kind}): ${event.revision.reason}; steps: ${event.revision.stepsAfter.map((step) => step.id).join(', ')}`;
    case 'model-called':
      return `${event.role}: ${event.usage.totalTokens} tokens in ${Math.round(event.durationMs)} ms${event.error ? `, failed: ${event.error}` : ''}`;
    case 'step-warning':
      return `${event.warning}: ${event.message}`;
    case 'synthesis-finished':
      return event.output;
    case 'run-finished':
      return event.error ? `${event.status}: ${event.error.code}: ${event.error.message}` : event.status;
  }
}
