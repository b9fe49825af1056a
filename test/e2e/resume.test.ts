import { describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import type { ChatMessage } from '../../widget/shared/protocol.js';
import { ChatDriver } from './support/chat-driver.js';
import { useDemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce, upstreamClosed } from './support/upstream-watch.js';
import { waitFor } from './support/wait-for.js';

// End to end, as a user: the demo page (the built script-tag file) against the demo
// server with resume on (the memory store logs answers with AI_STREAM_RESUME=on), a
// reload or a network drop mid-answer, and the answer still ends whole. The grace
// period is long (60 s), so an upstream that closes within the test's wait was closed
// by the widget's Cancel (its DELETE), not by the grace running out.

const demo = useDemoSession({ env: { AI_STREAM_RESUME: 'on', AI_STREAM_RESUME_GRACE_MS: '60000' } });

async function demoPage(): Promise<{ chat: ChatDriver; opened: OpenedPage }> {
  const page = await demo.open('/');
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  return { chat, opened: page };
}

/** The conversation once no answer streams and it holds `count` messages. */
function settled(chat: ChatDriver, count: number, timeoutMs = 30_000): Promise<ChatMessage[]> {
  return waitFor(
    `a settled conversation of ${count} messages`,
    () =>
      chat.element.evaluate(
        (element: AiStreamChat, n) => (!element.streaming && element.messages.length === n ? element.messages : undefined),
        count,
      ),
    timeoutMs,
  );
}

/** The answer to `prompt` in a page of its own, never interrupted: what an interrupted run must end with. */
async function unbroken(prompt: string): Promise<string> {
  const { chat } = await demoPage();
  await chat.ask(prompt);
  const messages = await settled(chat, 2);
  return messages[1]?.content ?? '';
}

describe('resume on the demo page', () => {
  it('a reload mid-answer shows the conversation again and the answer continues to the same text as an unbroken run', async () => {
    const { chat, opened: page } = await demoPage();
    const prompt = `Reload while I talk ${nonce()} [[length:300]] [[pace:0,60]]`;
    await chat.ask(prompt);
    const before = await chat.waitForText(60);
    await page.page.reload();
    await chat.input.waitFor();
    // The question is back at once, and the answer grows past what it had.
    await expect.poll(() => chat.part('user').first().textContent()).toContain('Reload while I talk');
    await waitFor('the answer to grow after the reload', async () => ((await chat.lastAnswer()).length > before.length ? true : undefined));
    const messages = await settled(chat, 2);
    expect(messages[0]?.content).toBe(prompt);
    expect(messages[1]?.content).toBe(await unbroken(prompt));
    expect(await chat.part('error').count()).toBe(0);
    expect(await page.page.evaluate(() => sessionStorage.length), 'nothing kept once the answer is done').toBe(0);
    expect(page.report.errors).toEqual([]);
    expect(await page.report.cspViolations()).toEqual([]);
  }, 90_000);

  it('going offline and back online mid-answer resumes it: the same text as an unbroken run', async () => {
    const { chat, opened: page } = await demoPage();
    const resumes: string[] = [];
    page.page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).searchParams.has('id')) resumes.push(request.url());
    });
    const prompt = `Offline for a moment ${nonce()} [[length:300]] [[pace:0,60]]`;
    await chat.ask(prompt);
    await chat.waitForText(60);
    await page.page.context().setOffline(true);
    // The widget noticed the drop: it says it is resuming.
    await expect.poll(() => chat.element.evaluate((element) => element.shadowRoot?.textContent ?? ''), { timeout: 15_000 }).toContain('resuming');
    await page.page.context().setOffline(false);
    const messages = await settled(chat, 2);
    expect(resumes.length, 'it resumed with GET ?id=').toBeGreaterThan(0);
    expect(messages[1]?.content).toBe(await unbroken(prompt));
    expect(await chat.part('error').count()).toBe(0);
  }, 90_000);

  it('Cancel after a resume still stops the upstream at once (the DELETE), not after the grace period', async () => {
    const { chat, opened: page } = await demoPage();
    const id = nonce();
    await chat.ask(`A long answer to cancel after a reload ${id} [[length:3000]] [[pace:0,40]]`);
    const before = await chat.waitForText(40);
    await page.page.reload();
    await chat.input.waitFor();
    await chat.recordEvents();
    await waitFor('the answer to grow after the reload', async () => ((await chat.lastAnswer()).length > before.length ? true : undefined));
    await chat.part('cancel-button').click();
    await chat.waitForEvent('ai-stream-cancel');
    // Well under the 60 s grace: only the Cancel's DELETE can have closed it.
    expect((await upstreamClosed(demo.session.upstream, id, 15_000)).reason).toBe('client-aborted');
    await expect.poll(() => chat.part('retry-button').count()).toBe(1);
    expect(page.report.errors).toEqual([]);
  }, 90_000);
});
