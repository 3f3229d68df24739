import { createHash } from 'node:crypto';

/**
 * A job id derived from a run and what the job does (`start`, `continue`, `step:<id>:<attempt>`):
 * the same inputs always give the same id, so pg-boss refuses a second job for them. pg-boss ids
 * are UUIDs: this is the SHA-256 of the inputs in UUID form (version 8, "custom", RFC 9562).
 */
export function jobId(runId: string, purpose: string): string {
  const hex = createHash('sha256').update(`${runId}\u0000${purpose}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The id of a run's first job. */
export const startJobId = (runId: string) => jobId(runId, 'start');
/** The id of the one job that carries a run on after it waited (approved, rejected or cancelled). */
export const continueJobId = (runId: string) => jobId(runId, 'continue');
/** The id of the job that ends a queued or waiting run as cancelled. */
export const cancelJobId = (runId: string) => jobId(runId, 'cancel');
/** The id of one attempt of one step, in step mode. */
export const stepJobId = (runId: string, stepId: string, attempt: number) => jobId(runId, `step:${stepId}:${attempt}`);
