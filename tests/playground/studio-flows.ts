import type { Page } from 'playwright-core';

/** Workflows → release-checklist → fill the form (`version`, staging, services untouched) → Run → Success → Run data → Output. */
export async function runReleaseFromStudio(page: Page, origin: string, version: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('link', { name: 'Workflows', exact: true }).click();
  await page.getByRole('link', { name: /release-checklist/ }).click();
  await page.waitForURL(/\/workflows\/releaseChecklist\/graph$/);

  await page.getByLabel(/^The version to release/).fill(version);
  await page.getByRole('combobox', { name: /^The environment the release goes to/ }).click();
  await page.getByRole('option', { name: 'staging', exact: true }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  await page.getByText('Success', { exact: true }).waitFor();
  await page.getByText('Run data', { exact: true }).click();
  await page.getByRole('tab', { name: 'Output' }).click();
}

/** Opens the Plan & Execute form, fills `task`, ticks "requireApproval" when asked, and presses Run. */
export async function startPlanExecuteFromStudio(page: Page, origin: string, task: string, { requireApproval = false } = {}): Promise<void> {
  await page.goto(`${origin}/workflows/planExecute/graph`);
  await page.getByLabel(/^The task to plan and execute/).fill(task);
  if (requireApproval) await page.getByRole('checkbox', { name: /^Suspend after planning/ }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

/** What the run graph's card of workflow step `stepId` says it is: idle, running, suspended, success, failed… */
export function stepStatus(page: Page, stepId: string): Promise<string | null> {
  return page.locator(`[data-workflow-step-key="${stepId}"]`).first().getAttribute('data-workflow-step-status');
}

/** Pino's pretty ERROR lines in a server's output (colour codes or not). */
export function errorLines(output: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI colour codes pino-pretty writes
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  return plain.split('\n').filter((line) => /^ERROR \[/.test(line));
}

/** Loads `path` and stays `dwellMs`, long enough for the page's first round of polling. */
export async function visit(page: Page, url: string, dwellMs = 4_000): Promise<void> {
  await page.goto(url);
  await page.waitForTimeout(dwellMs);
}
