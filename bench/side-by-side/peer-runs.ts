import { median } from '../measure.ts';
import { Ledger } from './ledger.ts';
import type { Peer } from './peer.ts';
import type { World } from './world.ts';

/** One finished run of a peer. */
export interface PeerRunRecord {
  /** Wall time of the run (its preparation excluded), in ms. */
  readonly wallMs: number;
  /** CPU time of the whole process during the run (user + system, every thread), in ms. */
  readonly cpuMs: number;
  /** What its models and tool did. */
  readonly ledger: Ledger;
  /** The final answer, when the run completed. */
  readonly output?: string;
  /** The first line of the error, when it did not. */
  readonly error?: string;
}

/** Timings of a run: `world` is built fresh for it (its fail-once set is used up by the run). */
export interface RunTimings {
  /** Model latency, in ms. */
  readonly latencyMs: number;
  /** Tool time, in ms. */
  readonly toolMs: number;
}

/** Prepares `peer` on a fresh ledger (untimed), then runs `world`'s task and times it. */
export async function runPeer(peer: Peer, world: World, { latencyMs, toolMs }: RunTimings): Promise<PeerRunRecord> {
  const ledger = new Ledger();
  const run = await peer.prepare({ world, ledger, latencyMs, toolMs });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const times = () => {
    const cpu = process.cpuUsage(cpuBefore);
    return { wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  try {
    const output = await run(world.task);
    return { ...times(), ledger, output };
  } catch (error) {
    return { ...times(), ledger, error: String((error as Error).message).split('\n')[0] };
  }
}

/** Options of {@link runInTurns}. */
export interface TurnOptions extends RunTimings {
  /** Timed runs per peer. */
  readonly rounds: number;
  /** Untimed runs per peer first (JIT, lazy imports). */
  readonly warmup: number;
}

/**
 * Runs every peer `warmup + rounds` times on a fresh `makeWorld()`, the peers taking turns round by
 * round so that load from other processes falls on all of them alike; returns the timed runs per peer.
 */
export async function runInTurns(peers: readonly Peer[], makeWorld: () => World, options: TurnOptions): Promise<Map<string, PeerRunRecord[]>> {
  const records = new Map<string, PeerRunRecord[]>(peers.map((peer) => [peer.id, []]));
  for (let round = -options.warmup; round < options.rounds; round++) {
    for (const peer of peers) {
      const record = await runPeer(peer, makeWorld(), options);
      if (round >= 0) records.get(peer.id)!.push(record);
    }
  }
  return records;
}

/** The median of `pick` over `records`. */
export const medianOf = (records: readonly PeerRunRecord[], pick: (record: PeerRunRecord) => number) => median(records.map(pick));

/** The first error among `records`, if any. */
export const firstError = (records: readonly PeerRunRecord[]) => records.find((record) => record.error !== undefined)?.error;
