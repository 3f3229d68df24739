/**
 * `npx tsx bench/side-by-side/profile-summary.ts <file.cpuprofile> [top]`: the functions and the
 * packages with the most self time in a V8 CPU profile (from `node --cpu-prof`), as percentages.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a script URL belongs: the package under node_modules, `project` for this checkout, else the URL's kind. */
export function packageOf(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  if (url.startsWith('node:')) return 'node';
  return url.includes('/src/') ? 'project src' : url.includes('/bench/') ? 'bench' : url;
}

/** Self time in µs per key, from the samples of `profile`. */
function selfTimes(profile: CpuProfile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const key = keyOf(byId.get(id)!);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return totals;
}

function top(totals: Map<string, number>, count: number): string[] {
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, value]) => `${((100 * value) / all).toFixed(1).padStart(5)} %  ${key}`);
}

const [file, count = '25'] = process.argv.slice(2);
if (file) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const where = (node: ProfileNode) => `${node.callFrame.url.replace(/^.*\/node_modules\//, '')}:${node.callFrame.lineNumber + 1}`;
  process.stdout.write(
    `By package:\n${top(
      selfTimes(profile, (node) => packageOf(node.callFrame.url)),
      15,
    ).join('\n')}\n\n`,
  );
  process.stdout.write(
    `By function:\n${top(
      selfTimes(profile, (node) => `${node.callFrame.functionName || '(anonymous)'}  ${where(node)}`),
      Number(count),
    ).join('\n')}\n`,
  );
}
