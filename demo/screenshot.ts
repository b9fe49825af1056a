/**
 * Takes the README's screenshots, from the built script-tag file, in Chromium:
 * `docs/demo.png`, the demo page with both chats after an answer, and
 * `docs/launcher.png`, the launcher page with its panel open after a suggested
 * question. `npm run screenshot` (after `npm run build`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemoServer } from './server.js';
import { chromiumArgs, findBrowser } from '../test/support/find-browser.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const output = `${root}docs/demo.png`;
const launcherOutput = `${root}docs/launcher.png`;

if (!existsSync(`${root}dist/ai-stream-chat.js`)) {
  throw new Error('dist/ai-stream-chat.js is missing: run `npm run build` first.');
}

const server = await startDemoServer({
  port: 0,
  upstreamPace: { firstTokenMs: 50, tokensPerSecond: 400 },
  env: {},
});
const browser = await chromium.launch({ executablePath: findBrowser().executablePath, args: [...chromiumArgs] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 870 }, colorScheme: 'light' });
  await page.goto(`${server.url}/`);
  const done = (selector: string): Promise<unknown> =>
    page.locator(selector).evaluate(
      (element) => new Promise((resolve) => element.addEventListener('ai-stream-done', resolve, { once: true })),
    );
  for (const [selector, prompt] of [
    ['#text-chat', 'How does token streaming work?'],
    ['#json-chat', 'A weekend in Lisbon'],
  ] as const) {
    const finished = done(selector);
    await page.locator(`${selector} textarea`).fill(prompt);
    await page.locator(`${selector} textarea`).press('Enter');
    await finished;
  }
  // Show the answers from their start (the prompt, headings, a list, code), not their tail.
  for (const selector of ['#text-chat', '#json-chat']) {
    await page.locator(`${selector} [part~="transcript"]`).evaluate((transcript) => transcript.scrollTo({ top: 0 }));
  }
  await page.locator('#json-chat textarea').blur();
  await page.waitForTimeout(300);
  await page.screenshot({ path: output });
  process.stdout.write(`Wrote ${output}\n`);

  // The launcher: open it, pick a suggestion, show the answer from its start.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/launcher.html`);
  await page.locator('#launcher-chat [part~="launcher-button"]').click();
  const answered = done('#launcher-chat');
  await page.locator('#launcher-chat [part~="suggestion"]').nth(1).click();
  await answered;
  await page.locator('#launcher-chat [part~="transcript"]').evaluate((transcript) => transcript.scrollTo({ top: 0 }));
  await page.locator('#launcher-chat textarea').blur();
  await page.waitForTimeout(300);
  await page.screenshot({ path: launcherOutput });
  process.stdout.write(`Wrote ${launcherOutput}\n`);
} finally {
  await browser.close();
  await server.close();
}
