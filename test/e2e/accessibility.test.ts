import { describe, expect, it } from 'vitest';
import ar from '../../widget/locales/ar.js';
import { ChatDriver } from './support/chat-driver.js';
import { axeViolations as violations } from './support/axe.js';
import { useDemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce } from './support/upstream-watch.js';

// axe-core on the demo pages in every state a visitor meets (issue 13): the start screen,
// an answer with its actions and a code block, a reasoning section, the launcher closed
// and open on a phone, and a right-to-left locale. axe looks into open shadow roots, so
// the element's own markup is checked, as built, under the demo's strict CSP.

const phone = { width: 390, height: 844 };

const demo = useDemoSession();

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  return demo.open(path, { viewport, hasTouch: viewport.width < 600 });
}

describe('axe-clean demo pages', () => {
  it('the text chat: empty, then an answer with its actions and a code block (desktop and phone)', async () => {
    for (const viewport of [undefined, phone]) {
      const { page, report } = await open('/', viewport);
      const chat = new ChatDriver(page, '#text-chat');
      await chat.input.waitFor();
      expect(await violations(page), 'empty').toEqual([]);
      await chat.recordEvents();
      await chat.ask(`Accessible actions for a rather long topic name ${nonce()}`);
      await chat.waitForEvent('ai-stream-done');
      await chat.part('copy-button').waitFor();
      expect(await chat.part('copy-code-button').count(), 'a code block with its Copy button').toBe(1);
      expect(await violations(page), `answered, ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
      // The code block is a named keyboard stop, and the arrow keys scroll its long lines.
      const block = chat.element.locator('pre');
      expect([await block.getAttribute('tabindex'), await block.getAttribute('role'), await block.getAttribute('aria-label')]).toEqual(['0', 'group', 'Code']);
      await block.focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => block.evaluate((pre) => pre.scrollLeft), { message: 'scrolled by the keyboard' }).toBeGreaterThan(0);
      expect(report.errors).toEqual([]);
    }
  }, 60_000);

  it('the text chat in dark mode, answered, and the launcher open on a phone', async () => {
    const { page } = await open('/');
    await page.emulateMedia({ colorScheme: 'dark' });
    const chat = new ChatDriver(page, '#text-chat');
    await chat.input.waitFor();
    await chat.recordEvents();
    await chat.ask(`Dark mode ${nonce()} [[reasoning:20]]`);
    await chat.waitForEvent('ai-stream-done');
    await chat.part('copy-button').waitFor();
    expect(await violations(page), 'dark, answered').toEqual([]);

    const launcher = await open('/launcher.html', phone);
    await launcher.page.emulateMedia({ colorScheme: 'dark' });
    const panel = new ChatDriver(launcher.page, '#launcher-chat');
    await panel.part('launcher-button').waitFor();
    expect(await violations(launcher.page), 'dark, launcher closed').toEqual([]);
    await panel.part('launcher-button').tap();
    await panel.part('start-screen').waitFor();
    expect(await violations(launcher.page), 'dark, launcher open').toEqual([]);
  }, 60_000);

  it('the React page: the hook’s markdown and the wrapped element, answered, on a phone', async () => {
    const { page, report } = await open('/react.html', phone);
    await page.getByRole('textbox', { name: 'Prompt' }).fill(`Hooks on a phone ${nonce()}`);
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => page.getByTestId('hook-output').locator('pre').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Ask' }).count(), { timeout: 20_000 }).toBe(1);
    const chat = new ChatDriver(page, 'ai-stream-chat');
    await chat.recordEvents();
    await chat.ask(`Wrapped on a phone ${nonce()}`);
    await chat.waitForEvent('ai-stream-done');
    await chat.part('copy-code-button').waitFor();
    expect(await violations(page), 'react, answered').toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);

  it('the text chat with a reasoning section: while thinking, while the answer streams a code block, and once answered', async () => {
    const { page } = await open('/');
    const chat = new ChatDriver(page, '#text-chat');
    await chat.input.waitFor();
    await chat.recordEvents();
    await chat.ask(`Think first ${nonce()} [[reasoning:200]] [[pace:0,60]] [[length:400]]`);
    await chat.part('reasoning').waitFor();
    expect(await chat.part('reasoning').getAttribute('open'), 'open while it thinks').not.toBeNull();
    expect(await violations(page), 'thinking').toEqual([]);
    // Still streaming, with a code block on screen.
    await chat.element.locator('pre').waitFor();
    expect(await chat.part('typing-indicator').count()).toBe(1);
    expect(await violations(page), 'streaming a code block').toEqual([]);
    await chat.waitForEvent('ai-stream-done', 1, 30_000);
    // Opened by the reader after the answer: its text shows.
    await chat.part('reasoning').locator('summary').click();
    expect(await chat.part('reasoning').getAttribute('open')).not.toBeNull();
    expect(await violations(page), 'answered, reasoning open').toEqual([]);
  }, 60_000);

  it('the launcher on a phone: closed, open on its start screen, and after an answer', async () => {
    const { page, report } = await open('/launcher.html', phone);
    const chat = new ChatDriver(page, '#launcher-chat');
    const button = chat.part('launcher-button');
    await button.waitFor();
    expect(await violations(page), 'closed').toEqual([]);
    await button.tap();
    await chat.part('start-screen').waitFor();
    expect(await violations(page), 'open, start screen').toEqual([]);
    await chat.recordEvents();
    await chat.part('suggestion').first().tap();
    await chat.waitForEvent('ai-stream-done');
    await chat.part('copy-button').waitFor();
    expect(await violations(page), 'open, answered').toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);

  it('right to left: an Arabic launcher on a phone, open and answered', async () => {
    const { page, report } = await open('/launcher.html', phone);
    await page.addScriptTag({ url: '/dist/locales/ar.js', type: 'module' });
    await page.evaluate(() => document.querySelector('#launcher-chat')?.setAttribute('lang', 'ar'));
    const chat = new ChatDriver(page, '#launcher-chat');
    const button = chat.part('launcher-button');
    await expect.poll(() => chat.part('send-button').textContent()).toContain(ar.send);
    expect(await violations(page), 'closed').toEqual([]);
    await button.tap();
    expect(await chat.part('chat').getAttribute('dir')).toBe('rtl');
    await chat.recordEvents();
    await chat.ask(`سؤال ${nonce()}`);
    await chat.waitForEvent('ai-stream-done');
    await expect.poll(() => chat.part('copy-button').textContent()).toContain(ar.copy);
    expect(await violations(page), 'open, answered, rtl').toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);
});
