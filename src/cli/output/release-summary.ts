import type { ReleaseReplanDecision, ReleaseRunResult } from '../../examples/release-checklist/index.ts';
import type { Colors } from './colors.ts';

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

function formatDecision(decision: ReleaseReplanDecision): string {
  const fix = decision.fixStep ? ` ${decision.fixStep.id}` : '';
  return `  decision: ${decision.action}${fix}: ${flat(decision.rationale)}`;
}

/** The headline status: `succeeded`, `aborted`, or `aborted (failed)` / `aborted (cancelled)` when the engine says more. */
function statusText(release: ReleaseRunResult, colors: Colors): string {
  if (release.status === 'succeeded') return colors.green(release.replanned ? 'succeeded after a replan' : 'succeeded');
  const detail = release.run.status === 'aborted' ? '' : ` (${release.run.status})`;
  return colors.yellow(`aborted${detail}`);
}

/**
 * A release's outcome in a few lines: version, environment and status; each replan decision and
 * why; every step attempt, in order, ok or failed.
 */
export function formatReleaseSummary(target: { readonly version: string; readonly env: string }, release: ReleaseRunResult, colors: Colors): string {
  const services = [...new Set((release.plan?.steps ?? []).flatMap((step) => (step.targetService ? [step.targetService] : [])))];
  const lines = [`release ${target.version} to ${target.env}${services.length ? ` (${services.join(', ')})` : ''}: ${statusText(release, colors)}`];
  lines.push(...release.decisions.map(formatDecision));
  if (release.results.length > 0) {
    lines.push(`  attempts: ${release.results.map((result) => `${result.stepId} ${result.success ? colors.green('ok') : colors.red('failed')}`).join(', ')}`);
  }
  return lines.join('\n');
}
