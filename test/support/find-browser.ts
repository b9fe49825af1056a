import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where the browser was found, for the test log. */
export interface FoundBrowser {
  executablePath: string;
  source: 'CHROME_PATH' | 'debian' | 'playwright';
}

const debianChromium = '/usr/bin/chromium';

/**
 * The Chromium the browser tests drive: `CHROME_PATH` when set, else Debian's
 * `/usr/bin/chromium`, else the one Playwright downloaded. When none exists it throws,
 * naming every place it looked: a browser suite must fail loudly, never skip.
 */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): FoundBrowser {
  const tried: string[] = [];
  const fromEnv = env.CHROME_PATH?.trim();
  if (fromEnv) {
    if (existsSync(fromEnv)) return { executablePath: fromEnv, source: 'CHROME_PATH' };
    tried.push(`CHROME_PATH=${fromEnv} (no such file)`);
  } else {
    tried.push('CHROME_PATH (not set)');
  }
  if (existsSync(debianChromium)) return { executablePath: debianChromium, source: 'debian' };
  tried.push(`${debianChromium} (no such file)`);
  let playwrightPath: string | undefined;
  try {
    playwrightPath = chromium.executablePath();
  } catch (error) {
    tried.push(`Playwright's Chromium (${error instanceof Error ? error.message : String(error)})`);
  }
  if (playwrightPath !== undefined) {
    if (existsSync(playwrightPath)) return { executablePath: playwrightPath, source: 'playwright' };
    tried.push(`Playwright's Chromium at ${playwrightPath} (not installed: npx playwright install chromium)`);
  }
  throw new Error(
    `No Chromium for the browser tests. Tried:\n  - ${tried.join('\n  - ')}\n` +
      'Install one (apt-get install chromium, or npx playwright install chromium) or set CHROME_PATH.',
  );
}

/** Launch flags for a headless Chromium in a container without a GPU or network. */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
