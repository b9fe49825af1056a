import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import { chromiumArgs, findBrowser } from '../support/find-browser.js';
import { openPage } from './support/demo-session.js';

// The built element loads its highlighter chunk (dist/chunks/highlight-*.js) with import()
// on the first labelled code block: from the element's own origin, under a strict CSP,
// also when the page that embeds it is on another origin.

let site: Server;
let siteOrigin: string;
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  site = createServer((request, response) => {
    const snippet = `<!doctype html><html lang="en"><title>A site</title><link rel="icon" href="data:,">
<script type="module" src="${demo.url}/dist/ai-stream-chat.js"></script>
<ai-stream-chat endpoint="${demo.url}/api/chat/stream" heading="Ask our docs"></ai-stream-chat>`;
    // Strict: scripts and the API only from the chat's origin; nothing inline, no eval, no styles.
    const csp = `default-src 'none'; script-src ${demo.url}; connect-src ${demo.url}; img-src 'self' data:; base-uri 'none'; object-src 'none'`;
    response.writeHead(request.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(snippet);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  demo = await startDemoServer({
    port: 0,
    embedPort: 0,
    upstreamPace: { firstTokenMs: 20, tokensPerSecond: 300 },
    env: { AI_STREAM_ALLOWED_ORIGINS: siteOrigin, AI_STREAM_RETRY_BASE_MS: '50' },
  });
  browser = await chromium.launch({ executablePath: findBrowser().executablePath, args: [...chromiumArgs] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await new Promise((resolve) => site?.close(resolve));
});

interface Coloured {
  chunks: string[];
  keywords: string[];
  label: string | null;
}

/** Asks the page's chat for an answer with a TypeScript block; what the chunk coloured, and where it came from. */
async function askForCode(page: Page, selector: string): Promise<Coloured> {
  const prompt = 'Here:\n\n```ts\nconst done = true;\nexport function f() { return 1; }\n```\n\n[[echo]]';
  return page.evaluate(
    async ([selector, prompt]) => {
      const chat = document.querySelector(selector) as HTMLElement & { send(text: string): Promise<void> };
      await chat.send(prompt);
      const code = chat.shadowRoot?.querySelector('pre code');
      const text = code?.firstChild;
      // The chunk resolves after the answer may have ended: wait for its colours (bounded).
      for (let i = 0; i < 200 && !(CSS.highlights.get('ai-stream-chat-keyword')?.size ?? 0); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const keywords = [...(CSS.highlights.get('ai-stream-chat-keyword') ?? [])]
        .map((range) => range as AbstractRange)
        .filter((range) => range.startContainer === text)
        .map((range) => (text as Text).data.slice(range.startOffset, range.endOffset));
      const chunks = performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/chunks/highlight-'));
      return { chunks, keywords, label: code?.parentElement?.getAttribute('data-lang') ?? null };
    },
    [selector, prompt] as const,
  );
}

describe('the built highlighter chunk', () => {
  it('loads on the demo page under its strict CSP, and colours the block', async () => {
    const opened = await openPage(browser, `${demo.url}/`);
    try {
      await opened.page.waitForFunction(() => customElements.get('ai-stream-chat') !== undefined, undefined, { timeout: 10_000 });
      const before = await opened.page.evaluate(() => performance.getEntriesByType('resource').some((entry) => entry.name.includes('/chunks/highlight-')));
      expect(before, 'not loaded before a code block').toBe(false);
      const result = await askForCode(opened.page, '#text-chat');
      expect(result.label).toBe('ts');
      expect(result.keywords).toEqual(['const', 'export', 'function', 'return']);
      expect(result.chunks).toEqual([expect.stringMatching(new RegExp(`^${demo.url}/dist/chunks/highlight-[\\w-]+\\.js$`))]);
      expect(await opened.report.cspViolations()).toEqual([]);
      expect(opened.report.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 30_000);

  it("loads from the element's origin when the page is on another one, under the page's strict CSP", async () => {
    const opened = await openPage(browser, `${siteOrigin}/`);
    try {
      await opened.page.waitForFunction(() => customElements.get('ai-stream-chat') !== undefined, undefined, { timeout: 10_000 });
      const result = await askForCode(opened.page, 'ai-stream-chat');
      expect(result.keywords).toEqual(['const', 'export', 'function', 'return']);
      expect(result.chunks).toEqual([expect.stringMatching(new RegExp(`^${demo.url}/dist/chunks/highlight-[\\w-]+\\.js$`))]);
      expect(await opened.report.cspViolations()).toEqual([]);
      expect(opened.report.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 30_000);
});
