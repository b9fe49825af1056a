import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import { chromiumArgs, findBrowser } from '../support/find-browser.js';
import { openPage } from './support/demo-session.js';

// The built element's launcher and persistence chunks (dist/chunks/launcher-shell-*.js,
// dist/chunks/chat-persistence-*.js), loaded with import() only when needed: from the
// element's own origin, on a page of another origin under a strict CSP.

let site: Server;
let siteOrigin: string;
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  site = createServer((request, response) => {
    const element =
      request.url === '/launcher'
        ? `<ai-stream-chat launcher persist="e2e" endpoint="${demo.url}/api/chat/stream"></ai-stream-chat>`
        : `<ai-stream-chat endpoint="${demo.url}/api/chat/stream"></ai-stream-chat>`;
    const page = `<!doctype html><html lang="en"><title>A site</title><link rel="icon" href="data:,">
<script type="module" src="${demo.url}/dist/ai-stream-chat.js"></script>${element}`;
    // Strict: scripts and the API only from the chat's origin; nothing inline, no eval, no styles.
    const csp = `default-src 'none'; script-src ${demo.url}; connect-src ${demo.url}; img-src 'self' data:; base-uri 'none'; object-src 'none'`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page);
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

const chunksLoaded = (): string[] =>
  performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => name.includes('/chunks/'));

describe('the built launcher and persistence chunks, cross-origin under a strict CSP', () => {
  it('launcher and persist: the button appears, the panel opens styled, and the answer is kept in localStorage', async () => {
    const opened = await openPage(browser, `${siteOrigin}/launcher`);
    try {
      const { page } = opened;
      await page.waitForFunction(() => customElements.get('ai-stream-chat') !== undefined, undefined, { timeout: 10_000 });
      const result = await page.evaluate(async () => {
        const chat = document.querySelector('ai-stream-chat') as HTMLElement & { updateComplete: Promise<boolean>; send(text: string): Promise<void>; messages: unknown[] };
        await chat.updateComplete;
        const button = chat.shadowRoot?.querySelector<HTMLElement>('[part~="launcher-button"]');
        button?.click();
        await chat.updateComplete;
        const panel = chat.shadowRoot?.querySelector<HTMLElement>('[part~="chat"]');
        await chat.send('Keep this [[length:6]]');
        return {
          button: button ? getComputedStyle(button).position : null,
          panel: panel ? getComputedStyle(panel).position : null,
          kept: JSON.parse(localStorage.getItem('ai-stream-chat:e2e') ?? '{}').messages?.length ?? 0,
          messages: chat.messages.length,
        };
      });
      expect(result).toEqual({ button: 'fixed', panel: 'fixed', kept: 2, messages: 2 });
      const chunks = await page.evaluate(chunksLoaded);
      expect(chunks.filter((name) => !name.includes('/chunks/highlight-')).sort()).toEqual([
        expect.stringMatching(new RegExp(`^${demo.url}/dist/chunks/chat-persistence-[\\w-]+\\.js$`)),
        expect.stringMatching(new RegExp(`^${demo.url}/dist/chunks/launcher-shell-[\\w-]+\\.js$`)),
      ]);
      expect(await opened.report.cspViolations()).toEqual([]);
      expect(opened.report.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 30_000);

  it('an inline chat loads neither chunk until it sends: then only the persistence one (an answer is kept for a reload while it streams)', async () => {
    const opened = await openPage(browser, `${siteOrigin}/`);
    try {
      const { page } = opened;
      await page.waitForFunction(() => customElements.get('ai-stream-chat') !== undefined, undefined, { timeout: 10_000 });
      await page.evaluate(() => (document.querySelector('ai-stream-chat') as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete);
      expect(await page.evaluate(chunksLoaded)).toEqual([]);
      const messages = await page.evaluate(async () => {
        const chat = document.querySelector('ai-stream-chat') as HTMLElement & { send(text: string): Promise<void>; messages: unknown[] };
        await chat.send('Hello [[length:6]]');
        return chat.messages.length;
      });
      expect(messages).toBe(2);
      const chunks = await page.evaluate(chunksLoaded);
      expect(chunks).toEqual([expect.stringMatching(new RegExp(`^${demo.url}/dist/chunks/chat-persistence-[\\w-]+\\.js$`))]);
      expect(await opened.report.cspViolations()).toEqual([]);
      expect(opened.report.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 30_000);
});
