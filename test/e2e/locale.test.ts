import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ar from '../../widget/locales/ar.js';
import { ChatDriver } from './support/chat-driver.js';
import { openPage, startDemoSession, type DemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce } from './support/upstream-watch.js';

// The built locale file as a site loads it: beside the built script-tag file, from the
// same origin, under the demo page's strict CSP; then a chat in Arabic, right to left.

let session: DemoSession;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  session = await startDemoSession();
}, 60_000);

afterAll(async () => {
  await opened?.close();
  await session?.close();
});

describe('a translated locale on the demo page', () => {
  it('dist/locales/ar.js registers Arabic with the page’s element: labels, answer, right-to-left layout', async () => {
    opened = await openPage(session.browser, `${session.server.url}/`);
    const { page, report } = opened;
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.locator('ai-stream-chat').first().waitFor();
    // As a site loads it: one more module script tag, beside the script-tag file.
    await page.addScriptTag({ url: '/dist/locales/ar.js', type: 'module' });
    await page.evaluate(() => {
      const chat = document.createElement('ai-stream-chat');
      chat.id = 'arabic';
      chat.lang = 'ar';
      document.body.prepend(chat);
    });
    const chat = new ChatDriver(page, '#arabic');
    await expect.poll(() => chat.part('send-button').textContent()).toContain(ar.send);
    expect(await chat.part('chat').getAttribute('dir')).toBe('rtl');
    const send = await chat.part('send-button').boundingBox();
    const input = await chat.input.boundingBox();
    expect(send && input && send.x + send.width <= input.x, 'Send sits left of the message box').toBe(true);

    await chat.ask(`سؤال ${nonce()} [[length:20]]`);
    await expect.poll(() => chat.part('usage').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => chat.part('copy-button').count(), { timeout: 20_000 }).toBe(1);
    expect(await chat.part('copy-button').textContent()).toContain(ar.copy);
    expect(await chat.part('usage').textContent()).toContain('الإجابة:');
    expect(await report.cspViolations()).toEqual([]);
    expect(report.errors).toEqual([]);
    expect([...origins]).toEqual([session.server.url]);
  });
});
