/**
 * `mastra-plan-execute/fleet`: runs as jobs on PostgreSQL (pg-boss), done by a fleet of workers
 * that take over from each other. See docs/fleet.md.
 */
export { FleetClient } from './fleet-client.ts';
export type { FleetClientOptions, FleetRun, FleetRunState, SubmitOptions, WaitOptions } from './fleet-client.ts';
export { DEFAULT_AGENT, FLEET_DEFAULTS, resolveFleetSettings, runQueue, stepQueue, takeoverBoundMs } from './fleet-settings.ts';
export type { FleetOptions, FleetSettings } from './fleet-settings.ts';
export type { FleetStepMode } from './run-jobs.ts';
export { startWorker } from './worker.ts';
export type { FleetAgent, FleetWorker, WorkerOptions } from './worker.ts';
