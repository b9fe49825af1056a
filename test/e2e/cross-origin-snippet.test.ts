import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import { chromiumArgs, findBrowser } from '../support/find-browser.js';
import { openPage } from './support/demo-session.js';

// The documented snippet (docs/embedding.md), on a page of a third origin that the
// operator put on AI_STREAM_ALLOWED_ORIGINS, against `npm start`'s server: the script
// and the API must both accept that origin, not only the demo's own embed origin.

let site: Server;
let siteOrigin: string;
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  site = createServer((request, response) => {
    const snippet = `<!doctype html><html lang="en"><title>A site</title><link rel="icon" href="data:,">
<script type="module" src="${demo.url}/dist/ai-stream-chat.js"></script>
<ai-stream-chat endpoint="${demo.url}/api/chat/stream" heading="Ask our docs"></ai-stream-chat>`;
    response.writeHead(request.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(snippet);
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

describe('the cross-origin snippet against npm start', () => {
  it('loads the script and streams an answer on a page of an allowed origin', async () => {
    const opened = await openPage(browser, `${siteOrigin}/`);
    try {
      const { page } = opened;
      await page.waitForFunction(() => customElements.get('ai-stream-chat') !== undefined, undefined, { timeout: 10_000 });
      const text = await page.evaluate(async () => {
        const chat = document.querySelector('ai-stream-chat') as HTMLElement & { send(text: string): Promise<void> };
        const done = new Promise<string>((resolve) => chat.addEventListener('ai-stream-done', (event) => resolve((event as Event & { text: string }).text)));
        await chat.send('Hello from a third origin [[length:6]]');
        return done;
      });
      expect(text.length).toBeGreaterThan(0);
      expect(opened.report.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 30_000);

  it('does not hand the script to an origin nobody allowed', async () => {
    const response = await fetch(`${demo.url}/dist/ai-stream-chat.js`, { headers: { origin: 'http://127.0.0.1:1' } });
    await response.body?.cancel();
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
