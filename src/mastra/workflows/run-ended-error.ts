import { PlanExecuteError, type PlanExecuteErrorCode } from '../../engine/errors.ts';
import type { PlanRunResult, RunStatus } from '../../engine/result.ts';
import { PlanRunResultSchema } from '../../engine/result-schema.ts';

const marker = Symbol.for('mastra-plan-execute.run-ended-error');

/** A run status other than `completed`: the ones that end a Plan & Execute workflow unsuccessfully. */
export type UnsuccessfulRunStatus = Exclude<RunStatus, 'completed'>;

/**
 * The plain-JSON form of a RunEndedError: what a failed workflow carries as `error` in its result,
 * in the stored run (`getWorkflowRunById`, client-js `runById`) and in the Studio.
 */
export interface RunEndedErrorJSON {
  /** Always `RunEndedError`. */
  readonly name: 'RunEndedError';
  /** The code of the error that ended the run, such as `MODEL_NOT_CONFIGURED` or `RUN_ABORTED`. */
  readonly code: PlanExecuteErrorCode;
  /** That error's message. */
  readonly message: string;
  /** How the run ended. */
  readonly status: UnsuccessfulRunStatus;
  /** The run's id (the workflow run id). */
  readonly runId: string;
  /** The validator's messages, for `PLAN_INVALID`. */
  readonly issues?: readonly string[];
  /** Everything the run produced: plan, revisions, step attempts, usage. */
  readonly result: PlanRunResult;
  /** The workflow's own view of the run, when it has one besides `result` (the release checklist's release result). */
  readonly output?: unknown;
}

/**
 * Thrown by a Plan & Execute workflow step when the run ended `failed`, `aborted`, `rejected` or
 * `cancelled`, so that the workflow ends `failed` (Mastra reports `canceled` instead when
 * `run.cancel()` stopped it). Its `code` and `message` are those of the error that ended the run;
 * `result` is the whole PlanRunResult. Mastra serializes it with `toJSON` (RunEndedErrorJSON).
 */
export class RunEndedError extends PlanExecuteError {
  readonly [marker] = true;
  /** How the run ended. */
  readonly status: UnsuccessfulRunStatus;
  /** The run's id. */
  readonly runId: string;
  /** The validator's messages, for `PLAN_INVALID`. */
  readonly issues: readonly string[] | undefined;
  /** Everything the run produced. */
  readonly result: PlanRunResult;
  /** The workflow's own view of the run, when it differs from `result`. */
  readonly output: unknown;

  constructor(result: PlanRunResult, output?: unknown) {
    if (result.status === 'completed') throw new Error(`Run "${result.runId}" completed; only a run that did not complete ends with a RunEndedError`);
    // The engine always sets `error` on a run that did not complete; the fallback keeps the type honest.
    const error = result.error ?? { code: 'UNEXPECTED' as const, message: `The run ended ${result.status} without an error` };
    super(error.code, error.message);
    this.name = 'RunEndedError';
    this.status = result.status;
    this.runId = result.runId;
    this.issues = error.issues;
    this.result = result;
    this.output = output;
  }

  /** True for any RunEndedError, even one from another copy of this package. */
  static override isInstance(value: unknown): value is RunEndedError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** What Mastra stores and returns for this error (it calls `toJSON` when it serializes a step error). */
  toJSON(): RunEndedErrorJSON {
    const { code, message, status, runId, issues, result, output } = this;
    return {
      name: 'RunEndedError',
      code,
      message,
      status,
      runId,
      ...(issues === undefined ? {} : { issues }),
      result,
      ...(output === undefined ? {} : { output }),
    };
  }
}

/** A workflow run as Mastra returns it (`start`, `resume`, a stream's `result`) or stores it (`getWorkflowRunById`, client-js `runById`). */
export interface WorkflowRunLike {
  readonly status: string;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly steps?: Readonly<Record<string, unknown>>;
}

/**
 * The PlanRunResult of a Plan & Execute workflow run, whatever the workflow's status: the output
 * of a `success` (or its `run`, for the release checklist), the `result` of the RunEndedError of a
 * `failed` or `canceled` run (found on the failed step when the run was cancelled); null while the
 * run is suspended or running, and when it failed before the engine had a run (bad input).
 * @example const result = planRunResultOf(await run.start({ inputData: { task } })); result?.status // 'failed'
 */
export function planRunResultOf(workflowRun: WorkflowRunLike): PlanRunResult | null {
  const stepErrors = Object.values(workflowRun.steps ?? {}).map((step) => field(step, 'error'));
  const candidates = [workflowRun.result, field(workflowRun.result, 'run'), workflowRun.error, ...stepErrors].flatMap((value) => [
    value,
    field(value, 'result'),
  ]);
  for (const candidate of candidates) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    // Checked against the schema but returned as is: the schema does not list every optional field (a step's `crashes`).
    if (PlanRunResultSchema.safeParse(candidate).success) return candidate as PlanRunResult;
  }
  return null;
}

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
