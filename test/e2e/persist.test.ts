import { describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { strings } from '../../widget/strings.js';
import { ChatDriver } from './support/chat-driver.js';
import { useDemoSession, type DemoSessionScope, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamClosed, upstreamRequests } from './support/upstream-watch.js';
import { waitFor } from './support/wait-for.js';

// The demo's text chat keeps its conversation (`persist="demo"`): a visitor chats,
// reloads, and finds it again; New chat forgets it for good; a reload mid-answer
// continues the answer where the server can resume it (`npm start` turns resume on),
// and shows it interrupted, with Retry, where it cannot.

const storageKey = 'ai-stream-chat:demo';

/** Opens the demo page and its text chat, recording the chat's events. */
async function demoChat(demo: DemoSessionScope): Promise<{ chat: ChatDriver; opened: OpenedPage }> {
  const page = await demo.open('/');
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  await chat.recordEvents();
  return { chat, opened: page };
}

/** Reloads the page and waits for the chat to be back (its kept conversation restored). */
async function reload(chat: ChatDriver): Promise<void> {
  await chat.page.reload();
  await chat.input.waitFor();
  await chat.element.evaluate((element: AiStreamChat) => element.updateComplete);
  await chat.recordEvents();
}

function conversation(chat: ChatDriver): Promise<{ role: string; content: string }[]> {
  return chat.element.evaluate((element: AiStreamChat) => element.messages);
}

function stored(chat: ChatDriver): Promise<string | null> {
  return chat.page.evaluate((key) => localStorage.getItem(key), storageKey);
}

describe('the demo text chat’s conversation across reloads (resume on, as npm start runs it)', () => {
  const demo = useDemoSession({ env: { AI_STREAM_RESUME: 'on' } });

  it('a reload shows the conversation again; New chat clears it, and a reload keeps it cleared', async () => {
    const { chat, opened: page } = await demoChat(demo);
    await chat.ask(`Remember me ${nonce()} [[length:40]]`);
    await chat.waitForEvent('ai-stream-done');
    await chat.ask(`And this too ${nonce()} [[length:40]]`);
    await chat.waitForEvent('ai-stream-done', 2);
    const before = await conversation(chat);
    const shown = await chat.answers();
    expect(before.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);

    await reload(chat);
    expect(await conversation(chat)).toEqual(before);
    expect(await chat.answers(), 'the answers render as before').toEqual(shown);
    expect(await chat.part('user').allTextContents()).toEqual([expect.stringContaining('Remember me'), expect.stringContaining('And this too')]);
    // The restored last turn still has its actions: Regenerate asks again for it.
    await chat.part('regenerate-button').click();
    await chat.waitForEvent('ai-stream-done');
    await expect.poll(async () => (await conversation(chat)).map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect((await conversation(chat)).slice(0, 3)).toEqual(before.slice(0, 3));

    await chat.part('new-chat-button').click();
    await expect.poll(() => chat.part('message').count()).toBe(0);
    expect(await stored(chat)).toBeNull();
    expect(await chat.element.evaluate((element) => element.shadowRoot?.activeElement?.tagName), 'focus in the message box').toBe('TEXTAREA');

    await reload(chat);
    expect(await conversation(chat)).toEqual([]);
    expect(await chat.part('message').count()).toBe(0);
    expect(await chat.part('new-chat-button').count()).toBe(0);
    expect(await page.report.cspViolations()).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('New chat in the middle of an answer stops it, and a reload brings back neither the conversation nor the answer', async () => {
    const { chat, opened: page } = await demoChat(demo);
    await chat.ask(`First turn ${nonce()} [[length:20]]`);
    await chat.waitForEvent('ai-stream-done');
    const id = nonce();
    await chat.ask(`Stopped by New chat ${id} [[length:3000]] [[pace:0,40]]`);
    await chat.waitForText(40);
    await chat.part('new-chat-button').click();
    expect((await upstreamClosed(demo.session.upstream, id)).reason).toBe('client-aborted');
    await expect.poll(() => chat.part('message').count()).toBe(0);
    expect(await stored(chat)).toBeNull();

    await reload(chat);
    expect(await conversation(chat)).toEqual([]);
    expect(await chat.part('message').count()).toBe(0);
    expect(await chat.element.evaluate((element: AiStreamChat) => element.streaming)).toBe(false);
    expect(await stored(chat)).toBeNull();
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('a reload mid-answer continues the answer from where it was, with no second upstream request', async () => {
    const { chat, opened: page } = await demoChat(demo);
    const id = nonce();
    await chat.ask(`Keep talking through a reload ${id} [[length:300]] [[pace:0,60]]`);
    await chat.waitForText(40);
    await reload(chat);

    // The question and the partial answer are back at once, and the answer goes on growing.
    expect(await chat.part('user').allTextContents()).toEqual([expect.stringContaining(id)]);
    const resumed = await chat.lastAnswer();
    expect(resumed.length).toBeGreaterThan(0);
    await waitFor('the answer to grow after the reload', async () => ((await chat.lastAnswer()).length > resumed.length ? true : undefined));
    await chat.waitForEvent('ai-stream-done', 1, 30_000);

    expect((await upstreamClosed(demo.session.upstream, id)).reason).toBe('completed');
    expect(upstreamRequests(demo.session.upstream, id), 'resumed, not asked again').toHaveLength(1);
    const messages = await conversation(chat);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[1]?.content).toMatch(new RegExp(`^# Keep talking through a reload ${id}\\n`));
    expect(await chat.part('error').count()).toBe(0);
    expect(page.report.errors).toEqual([]);
  }, 60_000);
});

describe('the demo text chat across a reload mid-answer, where the server cannot resume', () => {
  const demo = useDemoSession({ env: { AI_STREAM_RESUME: 'off' } });

  it('shows the answer interrupted, with its text so far and Retry, which asks again to a whole answer', async () => {
    const { chat, opened: page } = await demoChat(demo);
    const id = nonce();
    await chat.ask(`Cut off by a reload ${id} [[length:300]] [[pace:0,60]]`);
    await chat.waitForText(40);
    await reload(chat);

    const error = chat.part('error');
    await expect.poll(() => error.count(), { timeout: 15_000 }).toBe(1);
    expect(await error.textContent()).toContain(strings.streamInterrupted);
    expect((await chat.lastAnswer()).length, 'the text from before the reload stays').toBeGreaterThan(0);
    expect(await chat.part('user').count()).toBe(1);

    await chat.part('retry-button').click();
    await chat.waitForEvent('ai-stream-done', 1, 30_000);
    await expect.poll(() => chat.part('error').count()).toBe(0);
    const messages = await conversation(chat);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(messages[1]?.content).toMatch(new RegExp(`^# Cut off by a reload ${id}\\n`));
    expect(await chat.part('assistant').count()).toBe(1);
    expect(upstreamRequests(demo.session.upstream, id), 'the first request and the retry').toHaveLength(2);
    // Chromium logs the refused resume (`GET ?id=` → 404), nothing else.
    expect(page.report.errors).toEqual([expect.stringMatching(/status of 404/)]);
  }, 60_000);
});
