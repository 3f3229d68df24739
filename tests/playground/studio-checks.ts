import { join } from 'node:path';
import type { MastraClient } from '@mastra/client-js';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpErrorReply, jsonReply, textReply, toolCallReply, type OpenAIStub, type StubReply } from '../helpers/openai-stub-server.ts';
import type { DevServer } from './dev-server.ts';
import { FINAL_OUTPUT, NOTE, NOTE_PLAN, NOTE_TASK, systemRole, type ReleaseOutput } from './playground-fixtures.ts';
import { launchLoopbackBrowser, pngSize, type LoopbackBrowser } from './studio-browser.ts';
import { errorLines, runReleaseFromStudio, startPlanExecuteFromStudio, stepStatus, visit } from './studio-flows.ts';

/** What the Studio checks use of the playground test file's one dev server. */
export interface Playground {
  server(): DevServer;
  client(): MastraClient;
  stub(): OpenAIStub;
  /** The stub's queued replies. */
  readonly replies: StubReply[];
  tmp(): string;
  /** Keep the temp folder after the run (a Studio failure). */
  keep(): void;
}

/**
 * The Studio checks in headless Chromium, against the dev server of the file that calls this
 * (one `mastra dev` per project can run): a release started from the form, the Traces page, a run
 * waiting for approval and then approved there, a failed run, and a round of pages without a 5xx
 * or a server ERROR line. Skipped without a Chromium.
 */
export function describeStudioChecks(chromiumPath: string | null, playground: Playground): void {
  describe.skipIf(!chromiumPath)('the Studio in headless Chromium', () => {
    let studio: LoopbackBrowser;
    let page: Page;
    /** Every 5xx any page of these tests received. */
    const serverErrors: string[] = [];

    beforeAll(async () => {
      studio = await launchLoopbackBrowser(chromiumPath!, { origin: playground.server().url });
      page = await studio.context.newPage();
      page.setDefaultTimeout(45_000);
      page.on(
        'response',
        (response) => void (response.status() >= 500 && serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`)),
      );
    }, 60_000);
    beforeEach(() => void (playground.replies.length = 0));
    afterEach(async ({ task }) => {
      if (task.result?.state !== 'fail') return;
      playground.keep();
      const screenshot = join(playground.tmp(), `studio-failure-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path: screenshot }).catch(() => {});
      console.error(`playground: the page at the failure is ${screenshot}`);
    });
    afterAll(async () => {
      await studio?.browser.close();
    });

    it('starts release 1.4.3 from the workflow form and shows the replanned result', async () => {
      await runReleaseFromStudio(page, playground.server().url, '1.4.3');

      // What the page shows: the Output tab's JSON (CodeMirror renders only the lines near the view).
      const output = page.locator('.cm-content');
      await output.locator('.cm-line', { hasText: '"status": "succeeded"' }).waitFor();
      const fixLine = output.locator('.cm-line', { hasText: '"stepId": "fix-web"' });
      await fixLine.scrollIntoViewIfNeeded();
      expect(await fixLine.isVisible()).toBe(true);
      const screenshot = join(playground.tmp(), 'studio-release-1.4.3.png');
      await page.screenshot({ path: screenshot });
      const png = pngSize(screenshot);
      expect(png).toMatchObject({ width: 1400, height: 900 });
      expect(png!.bytes).toBeGreaterThan(20_000); // a blank 1400×900 page is about 5 kB

      // The whole output, through the panel's copy button.
      await page.getByRole('button', { name: 'Copy to clipboard' }).click();
      const clipboard = () => page.evaluate<string>('navigator.clipboard.readText()');
      await expect.poll(clipboard, { timeout: 10_000 }).not.toBe('');
      const copied = JSON.parse(await clipboard()) as ReleaseOutput;
      expect([copied.status, copied.replanned]).toEqual(['succeeded', true]);
      expect(copied.results.map((step) => step.stepId)).toEqual(['build', 'smoke-web', 'fix-web', 'smoke-web', 'deploy-web', 'verify-web']);
    }, 120_000);

    it('lists the trace of a release just run on the Traces page', async () => {
      const run = await playground.client().getWorkflow('releaseChecklist').createRun();
      expect((await run.startAsync({ inputData: { version: '1.4.2', env: 'production' } })).status).toBe('success');

      await page.goto(`${playground.server().url}/traces`);
      // The row of this run: its input is unique to this test; spans are exported in batches, the page refreshes itself.
      const row = page.locator('.data-list-row').filter({ hasText: '{"version":"1.4.2","env":"production"}' });
      await row.first().waitFor({ timeout: 60_000 });
      expect(await row.count()).toBe(1);
      const cells = await Promise.all(['Workflow', 'release-checklist', 'OK', 'ERR'].map((text) => row.getByText(text, { exact: true }).count()));
      expect(cells).toEqual([1, 1, 1, 0]);
      expect(await page.getByText('Failed to load traces').count()).toBe(0);
    }, 120_000);

    it('shows a Plan & Execute run waiting for approval with its plan done, then runs it to success once approved there', async () => {
      playground.replies.push(
        jsonReply(NOTE_PLAN),
        toolCallReply('writeFile', { path: 'notes.txt', content: NOTE }),
        jsonReply({ success: true, output: 'notes.txt written', error: null }),
        textReply(FINAL_OUTPUT),
      );
      const requestsBefore = playground.stub().requests.length;
      await startPlanExecuteFromStudio(page, playground.server().url, NOTE_TASK, { requireApproval: true });

      // Before the run ends: the plan step is completed, the approval waits, nothing was executed yet.
      await page.getByText('Suspended', { exact: true }).first().waitFor();
      await expect
        .poll(() => Promise.all(['plan', 'approve', 'iterate', 'synthesize'].map((id) => stepStatus(page, id))))
        .toEqual(['success', 'suspended', 'idle', 'idle']);
      expect(playground.stub().requests.slice(requestsBefore).map(systemRole)).toEqual(['planner']);

      // The JSON tab: the Form tab fills the optional edited plan with empty fields and refuses them.
      await page.getByRole('radio', { name: 'JSON' }).click();
      await page.locator('.cm-content').last().fill('{"approved": true}');
      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await page.getByText('Success', { exact: true }).first().waitFor();
      await expect
        .poll(() => Promise.all(['plan', 'approve', 'iterate', 'synthesize'].map((id) => stepStatus(page, id))))
        .toEqual(['success', 'success', 'success', 'success']);
      expect(playground.stub().requests.slice(requestsBefore).map(systemRole)).toEqual(['planner', 'executor', 'executor', 'synthesizer']);
      expect(playground.replies).toEqual([]);
    }, 120_000);

    it('shows a Plan & Execute run that failed as failed, with the error that ended it', async () => {
      playground.replies.push(httpErrorReply(401, 'Incorrect API key provided'));
      await startPlanExecuteFromStudio(page, playground.server().url, NOTE_TASK);

      await page.getByText(/^workflow failed$/i).waitFor();
      await page.getByText("plan: The model server refused the planner's request (HTTP 401): Incorrect API key provided", { exact: true }).waitFor();
      expect(await page.getByText('Failed', { exact: true }).count()).toBeGreaterThan(0);
      expect(await page.getByText('Success', { exact: true }).count()).toBe(0);
      expect(await Promise.all(['plan', 'approve', 'iterate', 'synthesize'].map((id) => stepStatus(page, id)))).toEqual(['failed', 'idle', 'idle', 'idle']);
      expect(playground.replies).toEqual([]);
    }, 120_000);

    it('visits agents, a chat, workflows, a run, the traces and a trace without a 5xx or a server ERROR line', async () => {
      const run = await playground.client().getWorkflow('releaseChecklist').createRun();
      expect((await run.startAsync({ inputData: { version: '1.4.3', env: 'staging' } })).status).toBe('success');
      const errorsBefore = errorLines(playground.server().output()).length;
      await visit(page, `${playground.server().url}/agents`);
      await visit(page, `${playground.server().url}/agents/planner`);
      await page.getByPlaceholder('Enter your message...').waitFor();
      await visit(page, `${playground.server().url}/workflows`);
      await visit(page, `${playground.server().url}/workflows/releaseChecklist/graph/${run.runId}`);
      await page.getByText('Success', { exact: true }).first().waitFor();
      await visit(page, `${playground.server().url}/traces`);
      await page.locator('.data-list-row').filter({ hasText: 'release-checklist' }).first().click();
      await page.waitForURL(/\/traces\?traceId=\w+/);
      await page.waitForTimeout(8_000); // an open trace polls its feedback: the 500 loop of the LibSQL store
      expect(serverErrors).toEqual([]);
      expect(errorLines(playground.server().output()).slice(errorsBefore)).toEqual([]);
    }, 180_000);
  });
}
