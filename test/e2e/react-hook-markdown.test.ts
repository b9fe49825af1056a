import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, startDemoSession, type DemoSession, type OpenedPage } from './support/demo-session.js';
import { nonce } from './support/upstream-watch.js';

// The hook example of the demo (/react.html) showed the answer's markdown as raw text.
// The answer is the local upstream's whole one (no [[length:N]]): a cut answer can end
// on an opening `**`, which CommonMark rightly leaves as text.

let session: DemoSession;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  session = await startDemoSession({ pace: { firstTokenMs: 20, tokensPerSecond: 300 } });
}, 60_000);

afterAll(async () => {
  await opened?.close();
  await session?.close();
});

describe('the React demo', () => {
  it("the hook example renders the answer's markdown, not its source", async () => {
    opened = await openPage(session.browser, `${session.server.url}/react.html`);
    const { page } = opened;
    await page.getByRole('textbox', { name: 'Prompt' }).fill(`Markdown please ${nonce()}`);
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/^\d+ tokens \(/);
    const output = page.getByTestId('hook-output');
    expect(await output.locator('h1').count()).toBe(1);
    expect(await output.locator('li').count()).toBeGreaterThan(0);
    expect(await output.locator('strong').count()).toBeGreaterThan(0);
    expect(await output.textContent()).not.toContain('**');
    expect(await opened.report.cspViolations()).toEqual([]);
    expect(opened.report.errors).toEqual([]);
  }, 60_000);
});
