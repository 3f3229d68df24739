/**
 * `node --experimental-transform-types bench/side-by-side/profile-ours.ts [runs=20] [out=ours.cpuprofile] [mode=native]`:
 * a CPU profile of this project (its executor in `mode`) on the bench's overhead scenario (20-step line, 0 ms models) after 3 untimed runs,
 * so module loading and JIT warm-up stay out of it; then the top self times (profile-summary.ts).
 * The same profiler as `node --cpu-prof`, started and stopped around the runs only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { median } from '../measure.ts';
import { type OursOutputMode, oursPeer } from './ours-peer.ts';
import { runPeer } from './peer-runs.ts';
import { lineWorld } from './world.ts';

const STEPS = 20;
const WARMUP = 3;

async function overheadPerStep(mode: OursOutputMode): Promise<number> {
  const run = await runPeer(oursPeer(mode), lineWorld(STEPS), { latencyMs: 0, toolMs: 0 });
  if (run.error) throw new Error(`The profiled run failed: ${run.error}`);
  return (run.wallMs - run.ledger.modelMs - run.ledger.toolMs) / STEPS;
}

const [runs = '20', out = 'ours.cpuprofile', mode = 'native'] = process.argv.slice(2);
if (!['native', 'prompt', 'tool', 'text'].includes(mode)) throw new Error(`Expected the mode native, prompt, tool or text, got ${mode}`);
for (let index = 0; index < WARMUP; index++) await overheadPerStep(mode as OursOutputMode);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const samples: number[] = [];
for (let index = 0; index < Number(runs); index++) samples.push(await overheadPerStep(mode as OursOutputMode));
const { profile } = await session.post('Profiler.stop');
session.disconnect();
writeFileSync(out, JSON.stringify(profile));
process.stdout.write(`overhead per step: median ${median(samples).toFixed(2)} ms over ${runs} runs; profile in ${out}\n`);
