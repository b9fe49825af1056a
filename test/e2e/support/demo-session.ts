import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDemoServer, type DemoServer } from '../../../demo/server.js';
import type { LocalUpstream } from '../../../demo/upstream/server.js';
import { chromiumArgs, findBrowser } from '../../support/find-browser.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The built files the demo pages load; `npm test` builds them first. */
const builtFiles = ['dist/ai-stream-chat.js', 'dist/demo/react-app.js'];

/** The demo server and a Chromium, for one test file. */
export interface DemoSession {
  server: DemoServer;
  upstream: LocalUpstream;
  browser: Browser;
  close(): Promise<void>;
}

/** Options of {@link startDemoSession}. */
export interface DemoSessionOptions {
  /** The local upstream's default pace; prompts may override it with `[[pace:…]]`. */
  pace?: { firstTokenMs: number; tokensPerSecond: number };
  /** More server environment (e.g. `AI_STREAM_RESUME`), over the clean default. */
  env?: Record<string, string>;
}

/**
 * Starts the demo server (`npm start`'s, on random ports, with the local upstream) and
 * launches Chromium. Fails loudly when the build is missing, since the pages load
 * `dist/`: run `npm run build` (npm test does).
 */
export async function startDemoSession(options: DemoSessionOptions = {}): Promise<DemoSession> {
  assertBuilt();
  const server = await startDemoServer({
    port: 0,
    embedPort: 0,
    upstreamPace: options.pace ?? { firstTokenMs: 50, tokensPerSecond: 150 },
    // A clean environment: never a real provider key; fast server-side retries.
    env: { AI_STREAM_RETRY_BASE_MS: '50', ...options.env },
  });
  const upstream = server.upstream;
  if (!upstream) throw new Error('The demo server did not start the local upstream.');
  const browser = await chromium.launch({ executablePath: findBrowser().executablePath, args: [...chromiumArgs] });
  return {
    server,
    upstream,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The demo session of a test file or `describe` block, and the pages opened in it. */
export interface DemoSessionScope {
  /** The running session (from the block's `beforeAll` on). */
  readonly session: DemoSession;
  /** Opens `path` on the demo server (or an absolute URL) in a new page, closed after the block. */
  open(path: string, options?: BrowserContextOptions): Promise<OpenedPage>;
}

/**
 * Starts a demo session before the tests of the file or `describe` block it is called in,
 * and closes it, with every page opened through it, after them.
 */
export function useDemoSession(options: DemoSessionOptions = {}): DemoSessionScope {
  let running: DemoSession | undefined;
  const opened: OpenedPage[] = [];
  beforeAll(async () => {
    running = await startDemoSession(options);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
    await running?.close();
  });
  const scope: DemoSessionScope = {
    get session() {
      if (!running) throw new Error('The demo session starts in beforeAll.');
      return running;
    },
    async open(path, contextOptions) {
      const url = /^[a-z]+:/.test(path) ? path : `${scope.session.server.url}${path}`;
      const page = await openPage(scope.session.browser, url, contextOptions);
      opened.push(page);
      return page;
    },
  };
  return scope;
}

function assertBuilt(): void {
  const missing = builtFiles.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) {
    throw new Error(`The end-to-end tests load the build, but ${missing.join(', ')} is missing: run \`npm run build\` first.`);
  }
  const built = statSync(join(root, builtFiles[0] ?? '')).mtimeMs;
  const newest = newestMtime(join(root, 'widget'));
  if (newest > built) {
    // Only a warning: someone may be editing the widget while the suite runs.
    console.warn('warning: widget/ changed after the last build; the end-to-end tests run the older dist/.');
  }
}

function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What a page reported while a test used it. */
export interface PageReport {
  /** `securitypolicyviolation` events: `directive blockedURI`. */
  cspViolations(): Promise<string[]>;
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** A page opened by {@link openPage}. */
export interface OpenedPage {
  page: Page;
  report: PageReport;
  /** Closes the page's context. */
  close(): Promise<void>;
}

/**
 * A new page (in its own context) that records CSP violations from the first script
 * on, console errors and uncaught exceptions.
 */
export async function openPage(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  // Runs before the page's own scripts, so even a violation during load is caught.
  await context.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, '__cspViolations', { value: seen });
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return {
    page,
    close: () => context.close(),
    report: {
      errors,
      cspViolations: () => page.evaluate(() => [...((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])]),
    },
  };
}
