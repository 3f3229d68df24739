import type { Ledger } from './ledger.ts';
import type { World } from './world.ts';

/** What a peer gets for one run: the world, the run's ledger and the timings to simulate. */
export interface PeerRunSetup {
  /** The task, its plan and the steps that fail once. */
  readonly world: World;
  /** Where its models and its tool record what they did. */
  readonly ledger: Ledger;
  /** How long each model call takes, in ms. */
  readonly latencyMs: number;
  /** How long each `work` call takes, in ms. */
  readonly toolMs: number;
}

/** A run ready to start: resolves with the run's final answer, rejects when the run did not complete. */
export type PeerRun = (task: string) => Promise<string>;

/** A Plan & Execute implementation under test. */
export interface Peer {
  /** `ours`, `langgraph` or `classic`. */
  readonly id: string;
  /** What it is, for the report. */
  readonly label: string;
  /** The packages it runs on, with their installed versions. */
  readonly versions: Readonly<Record<string, string>>;
  /** Builds one run (untimed): its models, tools and graph or agent. The returned run is timed. */
  prepare(setup: PeerRunSetup): Promise<PeerRun>;
}
