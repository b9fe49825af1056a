import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ar from '../../widget/locales/ar.js';
import de from '../../widget/locales/de.js';
import { strings as english } from '../../widget/strings.js';
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

const phone = { width: 390, height: 844 };

describe('a translated launcher on a phone', () => {
  it('the German launcher opens full screen in German, and its actions, the code block’s Copy included, follow a change of language', async () => {
    const launcher = await openPage(session.browser, `${session.server.url}/launcher.html`, { viewport: phone, hasTouch: true });
    try {
      const { page, report } = launcher;
      await page.addScriptTag({ url: '/dist/locales/de.js', type: 'module' });
      await page.evaluate(() => document.querySelector('#launcher-chat')?.setAttribute('lang', 'de'));
      const chat = new ChatDriver(page, '#launcher-chat');
      await expect.poll(() => chat.part('send-button').textContent()).toContain(de.send);
      await chat.part('launcher-button').tap();
      expect(await chat.part('chat').boundingBox()).toEqual({ x: 0, y: 0, ...phone });
      expect(await chat.part('close-button').getAttribute('aria-label')).toBe(de.closeChat);
      expect(await chat.input.getAttribute('placeholder')).toBe(de.placeholder);
      expect(await chat.part('start-screen').locator('[role="group"]').getAttribute('aria-label')).toBe(de.suggestions);

      await chat.recordEvents();
      await chat.ask(`Frage ${nonce()}`);
      await chat.waitForEvent('ai-stream-done');
      const labels = async (): Promise<string[]> => [
        (await chat.part('copy-button').getAttribute('aria-label')) ?? '',
        (await chat.part('regenerate-button').textContent())?.trim() ?? '',
        (await chat.part('edit-button').getAttribute('aria-label')) ?? '',
        (await chat.part('copy-code-button').getAttribute('aria-label')) ?? '',
      ];
      await expect.poll(labels).toEqual([de.copyAnswer, de.regenerate, de.editLast, de.copyCode]);

      // The visitor's language changes (a site's language switch): every label follows, the code block's too.
      await page.evaluate(() => document.querySelector('#launcher-chat')?.setAttribute('lang', 'en'));
      await expect.poll(() => chat.part('send-button').textContent()).toContain(english.send);
      expect(await labels()).toEqual([english.copyAnswer, english.regenerate, english.editLast, english.copyCode]);
      expect(await report.cspViolations()).toEqual([]);
      expect(report.errors).toEqual([]);
    } finally {
      await launcher.close();
    }
  }, 60_000);
});

describe('code in a right-to-left chat', () => {
  it('reads left to right: a code line keeps its brace at its end, on the right', async () => {
    const arabic = await openPage(session.browser, `${session.server.url}/`);
    try {
      const { page, report } = arabic;
      await page.addScriptTag({ url: '/dist/locales/ar.js', type: 'module' });
      await page.evaluate(() => document.querySelector('#text-chat')?.setAttribute('lang', 'ar'));
      const chat = new ChatDriver(page, '#text-chat');
      await expect.poll(() => chat.part('chat').getAttribute('dir')).toBe('rtl');
      await chat.recordEvents();
      await chat.ask(`سؤال ${nonce()}`);
      await chat.waitForEvent('ai-stream-done');
      // Where the first "export" and the "{" after it are drawn, in the code block's line.
      const [exportX, braceX] = await chat.element.evaluate((element) => {
        const text = element.shadowRoot?.querySelector('pre code')?.firstChild;
        if (!(text instanceof Text)) throw new Error('no code text');
        const x = (index: number): number => {
          const range = document.createRange();
          range.setStart(text, index);
          range.setEnd(text, index + 1);
          return range.getBoundingClientRect().x;
        };
        const start = text.data.indexOf('export function');
        return [x(start), x(text.data.indexOf('{', start))];
      });
      expect(braceX, 'the brace after the signature, not before it').toBeGreaterThan(exportX);
      expect(report.errors).toEqual([]);
    } finally {
      await arabic.close();
    }
  }, 60_000);
});
