import { describe, expect, it } from 'vitest';
import { ChatDriver } from './support/chat-driver.js';
import { axeViolations } from './support/axe.js';
import { useDemoSession } from './support/demo-session.js';
import { nonce, upstreamRequests } from './support/upstream-watch.js';

// The other demo pages: the element embedded in a plain page on a second origin (so
// the API's CORS allowlist and the script's cross-origin load are exercised), the
// React example, and an accessibility check of the main page.

const demo = useDemoSession();

describe('the demo pages', () => {
  it('the page on another origin loads the widget from the main origin and streams an answer', async () => {
    // Follow the main page's link, as a visitor would: it carries the main origin in ?api=.
    const main = await demo.open('/');
    const link = main.page.locator('#embed-link');
    await link.waitFor({ state: 'visible' });
    const href = (await link.getAttribute('href')) ?? '';
    expect(new URL(href).origin).toBe(demo.session.server.embedUrl);

    const embed = await demo.open(href);
    // allHeaders(), not headers(): Playwright leaves security headers such as Origin out of the latter.
    const origins: Array<Promise<string>> = [];
    embed.page.on('request', (request) => {
      if (request.url().startsWith(`${demo.session.server.url}/api/`)) origins.push(request.allHeaders().then((h) => h['origin'] ?? ''));
    });
    const chat = new ChatDriver(embed.page, 'ai-stream-chat');
    await chat.input.waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
      throw new Error(`The widget never appeared on the embed page. Page errors: ${embed.report.errors.join(' | ')}`, { cause: error });
    });
    await chat.recordEvents();
    const id = nonce();
    await chat.ask(`Embedding on any site ${id} [[length:60]]`);
    const done = await chat.waitForEvent('ai-stream-done');
    expect(String(done.detail)).toContain(id);
    expect(await chat.lastAnswer()).toContain(`Embedding on any site ${id}`);
    expect(upstreamRequests(demo.session.upstream, id)).toHaveLength(1);
    expect(await Promise.all(origins), 'the API was called cross-origin, from the embed origin').toContain(demo.session.server.embedUrl);
    expect(await embed.report.cspViolations()).toEqual([]);
    expect(embed.report.errors).toEqual([]);
  }, 60_000);

  it('the React page streams through the hook and through the wrapper', async () => {
    const { page, report } = await demo.open('/react.html');
    // The hook: a plain form and text.
    await page.getByRole('textbox', { name: 'Prompt' }).fill(`Hooks and streams ${nonce()} [[length:120]] [[pace:50,100]]`);
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Cancel' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('hook-output').textContent(), { timeout: 20_000 }).toContain('Hooks and streams');
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/^120 tokens/);

    // The wrapper: the element, with a React callback on its done event.
    const chat = new ChatDriver(page, 'ai-stream-chat');
    await chat.ask(`Wrapped in React ${nonce()} [[length:40]]`);
    await expect.poll(() => page.getByTestId('wrapper-usage').textContent(), { timeout: 20_000 }).toMatch(/^Last answer: 40 tokens/);
    expect(await report.cspViolations()).toEqual([]);
    expect(report.errors).toEqual([]);
  }, 60_000);

  it('the main page has no accessibility violations after an answer (axe-core)', async () => {
    const { page } = await demo.open('/');
    const chat = new ChatDriver(page, '#text-chat');
    await chat.input.waitFor();
    await chat.recordEvents();
    await chat.ask(`Accessible answers ${nonce()} [[length:80]]`);
    await chat.waitForEvent('ai-stream-done');
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);
});
