import { describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { ChatDriver } from './support/chat-driver.js';
import { useDemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamRequests } from './support/upstream-watch.js';

// The launcher and the inline chat on a phone-sized screen (390 × 844), as a visitor
// uses them: the built script-tag file under the demo server's strict CSP.

const phone = { width: 390, height: 844 };

const demo = useDemoSession();

async function open(path: string): Promise<OpenedPage> {
  return demo.open(path, { viewport: phone, hasTouch: true });
}

/** Whether `box` lies wholly inside the phone's screen. */
function onScreen(box: { x: number; y: number; width: number; height: number } | null): boolean {
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= phone.width && box.y + box.height <= phone.height;
}

describe('the launcher on a phone', () => {
  it('opens full screen with the message box in view, answers a suggestion, and Esc gives focus back to the button', async () => {
    const { page, report } = await open('/launcher.html');
    const chat = new ChatDriver(page, '#launcher-chat');
    const button = chat.part('launcher-button');
    await button.waitFor();
    expect(onScreen(await button.boundingBox()), 'the button in its corner').toBe(true);
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await chat.recordEvents();

    await button.tap();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await chat.part('chat').boundingBox()).toEqual({ x: 0, y: 0, ...phone });
    expect(onScreen(await chat.input.boundingBox()), 'the message box without scrolling').toBe(true);
    expect(await chat.element.evaluate((element) => element.shadowRoot?.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await chat.part('greeting').textContent()).toContain('Hi! I can help');

    // A suggestion goes to the server as the visitor's question.
    const suggestions = await chat.part('suggestion').allTextContents();
    expect(suggestions).toEqual(['Where is my order?', 'Which tent for two people?', 'How do returns work?']);
    await chat.part('suggestion').first().tap();
    const done = await chat.waitForEvent('ai-stream-done');
    expect(String(done.detail)).toContain('Where is my order?');
    expect(await chat.part('start-screen').count()).toBe(0);
    expect(await chat.part('sender').first().textContent()).toContain('Nora');
    // The site's avatar loads under the page's CSP (img-src 'self').
    await expect.poll(() => chat.part('avatar').first().evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(onScreen(await chat.input.boundingBox()), 'the message box still in view after an answer').toBe(true);

    await chat.input.press('Escape');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    expect(await chat.part('chat').isHidden()).toBe(true);
    expect(await chat.element.evaluate((element) => element.shadowRoot?.activeElement?.getAttribute('part'))).toBe('launcher-button');
    // Open again: the conversation is still there.
    await button.tap();
    expect(await chat.lastAnswer()).toContain('Where is my order?');

    expect(await report.cspViolations()).toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);
});

describe('the inline chat on a phone', () => {
  it('shows the message box on the first screen, and the whole chat fits the screen after a long answer', async () => {
    const { page, report } = await open('/');
    const chat = new ChatDriver(page, '#text-chat');
    await chat.input.waitFor();
    expect(onScreen(await chat.input.boundingBox()), 'the message box without scrolling').toBe(true);
    await chat.recordEvents();
    const id = nonce();
    await chat.ask(`A long answer on a small screen ${id} [[length:600]]`);
    await chat.waitForEvent('ai-stream-done');
    expect(upstreamRequests(demo.session.upstream, id)).toHaveLength(1);
    // The transcript scrolls inside the chat; with its top at the screen's top, the message box is in view.
    await chat.element.evaluate((element: AiStreamChat) => element.scrollIntoView({ block: 'start' }));
    expect((await chat.element.boundingBox())?.height).toBeLessThanOrEqual(phone.height);
    expect(onScreen(await chat.input.boundingBox())).toBe(true);
    expect(await report.cspViolations()).toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);
});

describe('keyboard in the full-screen panel on a phone', () => {
  it('Tab and Shift+Tab stay in the panel: the page behind it is covered', async () => {
    const { page, report } = await open('/launcher.html');
    const chat = new ChatDriver(page, '#launcher-chat');
    await chat.part('launcher-button').waitFor();
    await chat.part('launcher-button').click();
    await chat.recordEvents();
    await chat.ask(`Tab around ${nonce()} [[length:20]]`);
    await chat.waitForEvent('ai-stream-done');
    await chat.part('new-chat-button').waitFor();

    /** The focused control's part (inside the chat), or the tag of what the page focused. */
    const focused = (): Promise<string> =>
      page.evaluate(() => {
        const active = document.activeElement;
        if (active?.id !== 'launcher-chat') return `page ${active?.tagName ?? 'none'}`;
        const inner = active.shadowRoot?.activeElement;
        return inner?.getAttribute('part') ?? inner?.tagName ?? 'none';
      });
    // The last control of the panel, then Tab: back to its first, the close button.
    await chat.part('new-chat-button').focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('close-button');
    // And Shift+Tab from the first goes round to the last.
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('new-chat-button');
    // Every stop of a whole round is in the panel.
    const stops = new Set<string>();
    for (let press = 0; press < 12; press += 1) {
      await page.keyboard.press('Tab');
      stops.add(await focused());
    }
    expect([...stops].filter((stop) => stop.startsWith('page'))).toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);
});
