import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumArgs, findBrowser } from '../../support/find-browser.js';
import { startElementApp, type ElementAppServer } from './element-app-server.js';

/** Where a built front-end fixture is: its directory (with the kit installed) and its build output. */
export interface BuiltApp {
  appDir: string;
  staticDir: string;
}

/**
 * What a Vue or Svelte app that uses `<ai-stream-chat>` must show in Chromium: the
 * element upgraded with the conversation the app restored (`messages`, a property),
 * a heading bound from the app's state that follows it, an answer streamed, the app's
 * typed `ai-stream-done` handler run (it renders `#done` and keeps the conversation in
 * localStorage), and that conversation restored after a reload. The page must log no
 * warning or error (Vue warns when it takes the tag for an unknown component).
 */
export function elementAppChecks(framework: string, build: () => Promise<BuiltApp>): { page: () => Page } {
  let server: ElementAppServer;
  let browser: Browser;
  let page: Page;
  const logged: string[] = [];

  beforeAll(async () => {
    const app = await build();
    server = await startElementApp(app.appDir, app.staticDir);
    browser = await chromium.launch({ executablePath: findBrowser().executablePath, args: [...chromiumArgs], headless: true });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'warning' || message.type() === 'error') logged.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => logged.push(`pageerror: ${error.message}`));
    await page.goto(server.origin);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The conversation as the element holds it (its `messages` property). */
  const messages = (): Promise<string[]> => page.evaluate(() => (document.querySelector('#chat') as unknown as { messages: Array<{ content: string }> }).messages.map((m) => m.content));
  const transcript = (): Promise<string | null> => page.locator('#chat [part~="transcript"]').textContent();

  it(`${framework}: the element shows the conversation the app restored through the messages property`, async () => {
    await expect.poll(messages).toEqual(['Which app is this?', 'A restored answer from earlier.']);
    expect(await transcript()).toContain('Which app is this?');
    expect(await transcript()).toContain('A restored answer from earlier.');
  });

  it(`${framework}: the heading follows the app's state`, async () => {
    await expect.poll(() => page.locator('#chat [part~="heading"]').textContent()).toBe(`${framework} support`);
    await page.click('#rename');
    await expect.poll(() => page.locator('#chat [part~="heading"]').textContent()).toBe(`${framework} support, renamed`);
  });

  it(`${framework}: an answer streams and the app's typed ai-stream-done handler runs`, async () => {
    const input = page.locator('#chat textarea');
    await input.fill('Tell me about rivers [[length:30]]');
    await input.press('Enter');
    await expect.poll(() => page.locator('#done').textContent(), { timeout: 15_000 }).toBe('30 tokens; 4 messages saved');
    expect((await messages()).at(-1)?.length).toBeGreaterThan(20);
  });

  it(`${framework}: the kept conversation is restored after a reload`, async () => {
    const before = await messages();
    await page.reload();
    await expect.poll(messages).toEqual(before);
    expect(before).toHaveLength(4);
    // The question as typed (the answer is on screen as rendered markdown, not its source).
    expect(await transcript()).toContain(before[2]);
    expect(logged).toEqual([]);
  });

  return { page: () => page };
}
