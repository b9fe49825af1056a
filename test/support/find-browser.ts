import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where the browser was found, for the test log. */
export interface FoundBrowser {
  executablePath: string;
  source: 'CHROME_PATH' | 'system' | 'playwright';
}

/** What the machine offers, as {@link decideBrowser} needs it (the real one: {@link probeMachine}). */
export interface BrowserProbe {
  /** `CHROME_PATH`, when set. */
  chromePath: string | undefined;
  platform: NodeJS.Platform;
  exists(path: string): boolean;
  /** Where Playwright's own Chromium is or would be installed; undefined when Playwright has no build for this platform. */
  playwrightPath: string | undefined;
}

/** What to do about the browser the tests need. */
export type BrowserDecision =
  | ({ kind: 'found' } & FoundBrowser)
  /** None here, but Playwright can download its Chromium (`command`). */
  | { kind: 'install'; command: string; tried: string[] }
  /** None here, and nothing to download: `fix` is the one command (or setting) that fixes it. */
  | { kind: 'missing'; fix: string; tried: string[] };

/** The command that downloads Playwright's Chromium: playwright-core's own CLI, so the revision matches `chromium.executablePath()`. */
export const playwrightInstallCommand = 'npx playwright-core install chromium';

/** Browsers a machine may already have, by platform (Debian's first: the one CI installs). */
const systemBrowsers: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'],
};

/**
 * Which Chromium the browser tests drive: `CHROME_PATH` when it exists, else a system
 * Chromium or Chrome, else the one Playwright downloaded. When there is none: `install`
 * where Playwright has a build for the platform, else `missing` with the fix.
 */
export function decideBrowser(probe: BrowserProbe): BrowserDecision {
  const tried: string[] = [];
  const fromEnv = probe.chromePath?.trim();
  if (fromEnv) {
    if (probe.exists(fromEnv)) return { kind: 'found', executablePath: fromEnv, source: 'CHROME_PATH' };
    tried.push(`CHROME_PATH=${fromEnv} (no such file)`);
  } else {
    tried.push('CHROME_PATH (not set)');
  }
  for (const path of systemBrowsers[probe.platform] ?? []) {
    if (probe.exists(path)) return { kind: 'found', executablePath: path, source: 'system' };
    tried.push(`${path} (no such file)`);
  }
  if (probe.playwrightPath === undefined) {
    tried.push(`Playwright's Chromium (no build for ${probe.platform})`);
    return { kind: 'missing', fix: systemInstallCommand(probe), tried };
  }
  if (probe.exists(probe.playwrightPath)) return { kind: 'found', executablePath: probe.playwrightPath, source: 'playwright' };
  tried.push(`Playwright's Chromium at ${probe.playwrightPath} (not installed)`);
  return { kind: 'install', command: playwrightInstallCommand, tried };
}

/**
 * The one command to print when Playwright's download is not possible (offline, blocked):
 * the system's package manager where we know it, else pointing `CHROME_PATH` at a browser.
 */
export function systemInstallCommand(probe: Pick<BrowserProbe, 'platform' | 'exists'>): string {
  if (probe.platform === 'linux') {
    if (probe.exists('/usr/bin/apt-get')) return 'sudo apt-get install -y chromium';
    if (probe.exists('/usr/bin/dnf')) return 'sudo dnf install -y chromium';
    if (probe.exists('/sbin/apk')) return 'sudo apk add chromium';
  }
  if (probe.platform === 'darwin') return 'brew install --cask google-chrome';
  return 'set CHROME_PATH to the path of a Chromium or Chrome executable';
}

/** This machine, as {@link decideBrowser} reads it. */
export function probeMachine(env: NodeJS.ProcessEnv = process.env): BrowserProbe {
  let playwrightPath: string | undefined;
  try {
    playwrightPath = chromium.executablePath();
  } catch {
    // Playwright throws when it has no build for this platform.
  }
  return { chromePath: env.CHROME_PATH, platform: process.platform, exists: existsSync, playwrightPath };
}

/**
 * The Chromium the browser tests drive (see {@link decideBrowser}). When none exists it
 * throws, naming every place it looked and the fix: a browser suite must fail loudly,
 * never skip. `npm test` runs `ensure-browser.ts` first, which installs one where it can.
 */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): FoundBrowser {
  const probe = probeMachine(env);
  const decision = decideBrowser(probe);
  if (decision.kind === 'found') return { executablePath: decision.executablePath, source: decision.source };
  const fix = decision.kind === 'install' ? `${decision.command} (or ${systemInstallCommand(probe)})` : decision.fix;
  throw new Error(`No Chromium for the browser tests. Tried:\n  - ${decision.tried.join('\n  - ')}\nFix: ${fix}, or set CHROME_PATH.`);
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
