import { describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { strings } from '../../widget/strings.js';
import { ChatDriver } from './support/chat-driver.js';
import { useDemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamRequests } from './support/upstream-watch.js';

// Message actions on the demo's text chat, as a visitor uses them: the built script-tag
// file under the demo's strict CSP, the real clipboard (granted to the page), the real
// stream handler and the local upstream, whose every answer holds a ```ts code block.

const demo = useDemoSession();

async function demoChat(): Promise<{ chat: ChatDriver; opened: OpenedPage }> {
  const page = await demo.open('/', { permissions: ['clipboard-read', 'clipboard-write'] });
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  await chat.recordEvents();
  return { chat, opened: page };
}

/** What the page reads back from the system clipboard. */
function clipboard(chat: ChatDriver): Promise<string> {
  return chat.page.evaluate(() => navigator.clipboard.readText());
}

/** Puts `text` on the clipboard first, so a test sees the copy replace it. */
async function fillClipboard(chat: ChatDriver, text: string): Promise<void> {
  await chat.page.evaluate((value) => navigator.clipboard.writeText(value), text);
}

/** What the element's polite live region says now. */
function announced(chat: ChatDriver): Promise<string> {
  return chat.element.evaluate((element) => element.shadowRoot?.querySelector('[aria-live="polite"]')?.textContent ?? '');
}

/** The `part` of the element focused inside the chat's shadow root. */
function focusedPart(chat: ChatDriver): Promise<string | null> {
  return chat.element.evaluate((element) => element.shadowRoot?.activeElement?.getAttribute('part') ?? null);
}

/** Presses Tab (Shift+Tab with `back`) until the focused control is the part `name`. */
async function tabTo(chat: ChatDriver, name: string, back = false): Promise<void> {
  for (let presses = 0; presses < 30; presses += 1) {
    if ((await focusedPart(chat))?.split(' ').includes(name)) return;
    await chat.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${name}`);
}

/** Every role and content of the conversation, as the element holds it. */
function conversation(chat: ChatDriver): Promise<string[]> {
  return chat.element.evaluate((element: AiStreamChat) => element.messages.map((message) => `${message.role}: ${message.content}`));
}

describe('message actions on the demo page', () => {
  it('Copy answer, reached with the keyboard, puts the markdown on the clipboard and says "Copied"; a code block’s Copy puts its code', async () => {
    const { chat, opened: page } = await demoChat();
    const id = nonce();
    await chat.ask(`Copy this answer ${id}`);
    const done = await chat.waitForEvent('ai-stream-done');
    const markdown = String(done.detail);
    const fence = /```ts\n([\s\S]*?)\n```/.exec(markdown);
    expect(fence, 'the answer holds a code block').not.toBeNull();

    // Labelled buttons: the screen reader hears what each one does.
    const copy = chat.part('copy-button');
    await copy.waitFor();
    expect(await copy.getAttribute('aria-label')).toBe(strings.copyAnswer);
    expect(await copy.textContent()).toContain(strings.copy);
    expect((await chat.part('regenerate-button').textContent())?.trim()).toBe(strings.regenerate);
    expect(await chat.part('edit-button').getAttribute('aria-label')).toBe(strings.editLast);
    const copyCode = chat.part('copy-code-button');
    expect(await copyCode.count()).toBe(1);
    expect(await copyCode.getAttribute('aria-label')).toBe(strings.copyCode);

    // From the message box, back with Shift+Tab to Copy answer, then Enter.
    await fillClipboard(chat, 'before');
    await chat.input.focus();
    await tabTo(chat, 'copy-button', true);
    await chat.page.keyboard.press('Enter');
    await expect.poll(() => clipboard(chat)).toBe(markdown);
    expect(markdown, 'markdown, not the rendered text').toMatch(new RegExp(`^# Copy this answer ${id}\\n`));
    await expect.poll(() => announced(chat)).toContain(strings.copied);

    await copyCode.click();
    await expect.poll(() => clipboard(chat)).toBe(fence?.[1]);
    expect(await page.report.cspViolations()).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('Regenerate streams a new last answer in place of the old one, with no second question', async () => {
    const { chat, opened: page } = await demoChat();
    const id = nonce();
    await chat.ask(`Say it again ${id} [[length:80]]`);
    await chat.waitForEvent('ai-stream-done');
    await chat.part('regenerate-button').click();
    // A new answer streams: the live one shows the typing indicator, and the old one is gone.
    await chat.part('typing-indicator').waitFor();
    expect(await chat.part('assistant').count()).toBe(1);
    await chat.waitForEvent('ai-stream-done', 2);

    expect(upstreamRequests(demo.session.upstream, id), 'the answer was asked for twice').toHaveLength(2);
    await expect.poll(() => chat.part('assistant').count()).toBe(1);
    expect(await chat.part('user').count()).toBe(1);
    const turns = await conversation(chat);
    expect(turns.map((turn) => turn.split(':')[0])).toEqual(['user', 'assistant']);
    expect(turns[1]).toContain(`Say it again ${id}`);
    // Regenerate stays on the new last answer.
    expect(await chat.part('regenerate-button').count()).toBe(1);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('Edit puts the last question back in the message box; sending it replaces that turn and its answer', async () => {
    const { chat, opened: page } = await demoChat();
    const first = nonce();
    const second = nonce();
    await chat.ask(`Keep this turn ${first} [[length:20]]`);
    await chat.waitForEvent('ai-stream-done');
    await chat.ask(`Change this turn ${second} [[length:20]]`);
    await chat.waitForEvent('ai-stream-done', 2);

    await chat.part('edit-button').click();
    expect(await chat.input.inputValue()).toBe(`Change this turn ${second} [[length:20]]`);
    expect(await focusedPart(chat), 'focus goes to the message box').toBe('input');
    await chat.input.fill(`Changed turn ${second} [[length:20]]`);
    await chat.input.press('Enter');
    await chat.waitForEvent('ai-stream-done', 3);

    const turns = await conversation(chat);
    expect(turns.map((turn) => turn.split(':')[0])).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(turns[2]).toBe(`user: Changed turn ${second} [[length:20]]`);
    expect(turns[3]).toContain(`Changed turn ${second}`);
    await expect.poll(() => chat.part('user').allTextContents()).toEqual([
      expect.stringContaining(`Keep this turn ${first}`),
      expect.stringContaining(`Changed turn ${second}`),
    ]);
    expect(await chat.part('assistant').count()).toBe(2);
    // The provider got the edited question after the first turn, never the old one.
    const edited = upstreamRequests(demo.session.upstream, `Changed turn ${second}`);
    expect(edited).toHaveLength(1);
    expect(JSON.stringify(edited[0])).not.toContain('Change this turn');
    expect(page.report.errors).toEqual([]);
  }, 60_000);
});
