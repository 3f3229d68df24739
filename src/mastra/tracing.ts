import { dirname, resolve } from 'node:path';
import { SpanType, type AnySpan, type SpanOutputProcessor } from '@mastra/core/observability';
import type { PlanRunEvent, PlanRunListener } from '../engine/events.ts';
import { createRedactor, secretsFromEnv } from '../engine/redact.ts';

/** The file name of the playground's trace store, next to its LibSQL database. */
export const TRACES_FILE_NAME = 'mastra-traces.duckdb';

/**
 * Where the playground keeps its traces when MASTRA_TRACES_PATH is unset: {@link TRACES_FILE_NAME}
 * in the folder of a `file:` LibSQL URL (so one folder holds a playground's data), else in `cwd`.
 * @example tracesPathFor('file:/data/mastra.db') // '/data/mastra-traces.duckdb'
 */
export function tracesPathFor(databaseUrl: string, cwd = process.cwd()): string {
  if (!databaseUrl.startsWith('file:')) return resolve(cwd, TRACES_FILE_NAME);
  // file:/abs, file:///abs and file:relative all occur; the query string (?mode=…) is not part of the path.
  const path = databaseUrl
    .slice('file:'.length)
    .replace(/^\/\/(?=\/)/, '')
    .replace(/\?.*$/, '');
  return resolve(cwd, dirname(path), TRACES_FILE_NAME);
}

/** Attributes of a Plan & Execute span (GENERIC spans take any; Mastra types them narrowly). */
type PatternAttributes = Record<string, string | number | boolean | null>;

const child = (parent: AnySpan, name: string, attributes: PatternAttributes) =>
  parent.createChildSpan({ type: SpanType.GENERIC, name, attributes: attributes as never, metadata: attributes });

const event = (parent: AnySpan, name: string, attributes: PatternAttributes) =>
  parent.createEventSpan({ type: SpanType.GENERIC, name, attributes: attributes as never, metadata: attributes });

/** The span fields that carry text from models, tools and errors. */
const SPAN_FIELDS = ['name', 'input', 'output', 'attributes', 'metadata', 'errorInfo'] as const;

/** Options of {@link createRedactingSpanProcessor}. */
export interface RedactingSpanProcessorOptions {
  /** More strings to redact. @default [] */
  readonly redact?: readonly string[];
  /** Where the secret values come from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A Mastra span output processor that replaces secrets (the environment's secret values and
 * `redact`) with `[REDACTED]` in every exported span — Mastra's own agent, model and tool spans
 * included, which carry prompts and tool results. The run's `plan-execute.*` spans are made from
 * redacted events already; add this to the Observability config to cover the rest.
 * @example new Observability({ configs: { default: { serviceName: 'app', exporters, spanOutputProcessors: [createRedactingSpanProcessor()] } } })
 */
export function createRedactingSpanProcessor({ redact = [], env = process.env }: RedactingSpanProcessorOptions = {}): SpanOutputProcessor {
  const redactor = createRedactor({ extra: [...secretsFromEnv(env), ...redact] });
  return {
    name: 'mastra-plan-execute-redaction',
    process(span) {
      if (!span) return span;
      const fields = span as unknown as Record<string, unknown>;
      // The contract is to mutate the live span and return it; a copy could not be exported.
      for (const field of SPAN_FIELDS) if (fields[field] !== undefined) fields[field] = redactor(fields[field]);
      return span;
    },
    async shutdown() {},
  };
}

/**
 * Turns a run's events into Mastra tracing spans under `parent` (a workflow step's span), named
 * after the pattern: `plan-execute.plan`, `plan-execute.step <id>` (one span per attempt, with
 * step id, attempt, status, duration, tokens and tool calls), `plan-execute.replan`,
 * `plan-execute.synthesis` and `plan-execute.run`. No parent (tracing off): no listener.
 */
export function tracingListener(parent: AnySpan | undefined): PlanRunListener | undefined {
  if (!parent) return undefined;
  const steps = new Map<string, AnySpan>();
  return (runEvent: PlanRunEvent) => {
    switch (runEvent.type) {
      case 'plan-created':
        return void event(parent, 'plan-execute.plan', { steps: runEvent.plan.steps.length, attempt: runEvent.attempt, goal: runEvent.plan.goal });
      case 'step-started':
        return void steps.set(
          runEvent.stepId,
          child(parent, `plan-execute.step ${runEvent.stepId}`, { stepId: runEvent.stepId, attempt: runEvent.attempt, status: 'in_progress' }),
        );
      case 'step-finished':
      case 'step-failed': {
        const { result } = runEvent;
        const attributes = {
          stepId: result.stepId,
          attempt: result.attempt,
          status: result.status,
          durationMs: result.durationMs,
          tokens: result.usage.totalTokens,
          toolCalls: result.toolCalls,
          error: result.error,
        };
        steps.get(runEvent.stepId)?.end({ attributes: attributes as never, metadata: attributes });
        return void steps.delete(runEvent.stepId);
      }
      case 'plan-revised': {
        const { revision } = runEvent;
        return void event(parent, 'plan-execute.replan', {
          revision: revision.revision,
          kind: revision.kind,
          failedStepId: revision.failedStepId,
          reason: revision.reason,
          steps: revision.stepsAfter.length,
        });
      }
      case 'synthesis-finished':
        return void event(parent, 'plan-execute.synthesis', { tokens: runEvent.usage.totalTokens });
      case 'run-finished': {
        const { result } = runEvent;
        return void event(parent, 'plan-execute.run', {
          status: result.status,
          durationMs: result.durationMs,
          tokens: result.usage.totalTokens,
          steps: result.plan.length,
          replanned: result.replanned,
        });
      }
      default:
        return;
    }
  };
}
