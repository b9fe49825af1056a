import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { ChatDriver } from './support/chat-driver.js';
import { openPage, startDemoSession, type DemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamClosed, upstreamRequests } from './support/upstream-watch.js';

// End to end, as a user: the demo page (the built script-tag file, under the demo
// server's strict CSP), the real stream handler, and the local upstream behind it.

let session: DemoSession;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  session = await startDemoSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

async function demoPage(): Promise<{ chat: ChatDriver; opened: OpenedPage }> {
  const page = await openPage(session.browser, `${session.server.url}/`);
  opened.push(page);
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  await chat.recordEvents();
  return { chat, opened: page };
}

describe('the text chat on the demo page', () => {
  it('streams the answer to a typed prompt in many paints before it is done', async () => {
    const { chat, opened: page } = await demoPage();
    const id = nonce();
    await chat.samplePaints();
    // About three seconds of streaming: time for many frames even on a slow machine.
    await chat.ask(`How do streams feel fast ${id} [[length:300]] [[pace:100,100]]`);
    await expect.poll(() => chat.input.inputValue()).toBe('');
    await chat.waitForEvent('ai-stream-done', 1, 30_000);

    const painted = await chat.paintedLengths();
    expect(painted.length, `distinct lengths painted before done: ${painted.join(',')}`).toBeGreaterThanOrEqual(10);
    expect([...painted].sort((a, b) => a - b), 'the answer only grows').toEqual(painted);
    const answer = await chat.lastAnswer();
    expect(answer).toContain(`How do streams feel fast ${id}`);
    expect(painted.at(-1), 'paints before done showed most of the answer').toBeGreaterThan(answer.length / 2);
    // The user's message and the answer's usage are on screen.
    await expect.poll(() => chat.part('user').first().textContent()).toContain(id);
    expect(await chat.part('usage').last().textContent()).toMatch(/completion/);
    expect(await page.report.cspViolations()).toEqual([]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('Cancel stops the answer on screen and at the upstream', async () => {
    const { chat, opened: page } = await demoPage();
    const id = nonce();
    await chat.ask(`A very long answer ${id} [[length:3000]] [[pace:0,40]]`);
    await chat.waitForText(40);
    await chat.part('cancel-button').click();
    await chat.waitForEvent('ai-stream-cancel');

    expect((await upstreamClosed(session.upstream, id)).reason).toBe('client-aborted');
    const frozen = await chat.lastAnswer();
    expect(frozen.length).toBeGreaterThan(0);
    await expect.poll(() => chat.part('retry-button').count()).toBe(1);
    expect(await chat.part('send-button').count()).toBe(1);
    // A whole later answer streams and is painted: anything the cancelled one still had
    // in flight would have landed before it.
    await chat.ask(`And then ${nonce()} [[length:10]]`);
    await chat.waitForEvent('ai-stream-done');
    await expect.poll(async () => (await chat.answers()).length).toBe(2);
    expect((await chat.answers())[0], 'no text arrives after Cancel').toBe(frozen);
    expect(page.report.errors).toEqual([]);
  }, 60_000);

  it('Esc in the message box cancels the answer', async () => {
    const { chat } = await demoPage();
    const id = nonce();
    await chat.ask(`Another long answer ${id} [[length:3000]] [[pace:0,40]]`);
    await chat.waitForText(40);
    await chat.input.press('Escape');
    await chat.waitForEvent('ai-stream-cancel');
    expect((await upstreamClosed(session.upstream, id)).reason).toBe('client-aborted');
  }, 60_000);

  it('Retry after an error mid-answer produces one clean answer', async () => {
    const { chat } = await demoPage();
    const id = nonce();
    // The upstream fails the first attempt of this conversation after a few tokens.
    await chat.ask(`Explain retries ${id} [[fault:error-mid:1]] [[length:80]]`);
    await chat.waitForEvent('ai-stream-error');
    const error = chat.part('error');
    await expect.poll(() => error.count()).toBe(1);
    expect((await error.textContent())?.trim().length, 'the error is shown in words').toBeGreaterThan(0);
    const partial = await chat.lastAnswer();
    expect(partial.length, 'text from before the fault stays').toBeGreaterThan(0);

    await chat.part('retry-button').click();
    const done = await chat.waitForEvent('ai-stream-done');
    await expect.poll(() => chat.part('error').count()).toBe(0);
    const answers = await chat.answers();
    expect(answers, 'one answer, not the failed one plus the retry').toHaveLength(1);
    const answer = answers[0] ?? '';
    expect(answer.length).toBeGreaterThan(partial.length);
    // Nothing repeated: the answer's opening (its heading and first sentence) shows once.
    const headings = await chat.element.evaluate((element) => element.shadowRoot?.querySelectorAll('[part~="content"] h1').length);
    expect(headings).toBe(1);
    expect(answer.split('You asked about').length - 1).toBe(1);
    expect(done.detail, 'the done event carries the whole clean answer').toMatch(new RegExp(`^# Explain retries ${id}\\n`));
    expect(await chat.part('retry-button').count()).toBe(0);
    expect(upstreamRequests(session.upstream, id), 'the failed attempt and the retry').toHaveLength(2);
    const messages = await chat.element.evaluate((element: AiStreamChat) => element.messages);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  }, 60_000);

  it('removing the element mid-stream aborts its request at the upstream', async () => {
    const { chat } = await demoPage();
    const id = nonce();
    await chat.ask(`Remove me while I talk ${id} [[length:3000]] [[pace:0,40]]`);
    await chat.waitForText(20);
    await chat.element.evaluate((element) => element.remove());
    const closed = await upstreamClosed(session.upstream, id);
    expect(closed.reason).toBe('client-aborted');
  }, 60_000);
});

afterAll(async () => {
  await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
});
