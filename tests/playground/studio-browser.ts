import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

// Headless Chromium as root in a container, with every background service that would phone home off.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Names other than localhost do not resolve, so nothing (WebSockets, service workers) reaches another host.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost',
];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The Chromium to drive: CHROMIUM_PATH, which must then exist (CI sets it, so a missing browser
 * fails there), else /usr/bin/chromium when installed, else null: the browser tests are skipped,
 * except under CI, where a missing browser throws.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist (apt-get install -y chromium)`);
    return configured;
  }
  if (existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  // CI must run the browser test, never skip it.
  if (env.CI) throw new Error(`No Chromium at ${DEFAULT_CHROMIUM} and CHROMIUM_PATH is unset (apt-get install -y chromium)`);
  return null;
}

/** A headless browser whose pages may only talk to loopback hosts. */
export interface LoopbackBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** Every request that was refused because it was not for a loopback host (the Studio checks npm for updates). */
  readonly blockedUrls: readonly string[];
}

/**
 * Launches headless Chromium with one context whose requests to any host but localhost,
 * 127.0.0.1 and [::1] are aborted, and which may read the clipboard of `origin`.
 */
export async function launchLoopbackBrowser(executablePath: string, { origin }: { origin: string }): Promise<LoopbackBrowser> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const blockedUrls: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (LOOPBACK_HOSTS.has(new URL(url).hostname)) return route.continue();
      blockedUrls.push(url);
      return route.abort('blockedbyclient');
    });
    return { browser, context, blockedUrls };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Width and height of a PNG file, or null when the file is not a PNG. */
export function pngSize(path: string): { width: number; height: number; bytes: number } | null {
  const data = readFileSync(path);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 24 || !data.subarray(0, 8).equals(signature) || data.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), bytes: data.length };
}
