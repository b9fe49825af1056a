import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { ChatDriver } from './support/chat-driver.js';
import { openPage, startDemoSession, type DemoSession, type OpenedPage } from './support/demo-session.js';

// Model output must never become live HTML or script. The local upstream can echo a
// message verbatim (`[[echo]]`) and otherwise quotes the prompt in its answer (in the
// heading, a sentence and a code block), so payloads typed as a prompt come back as
// model output through the real server.
//
// These pages run with the CSP bypassed: the demo's CSP would block inline handlers
// anyway, and the point is that the renderer itself never creates them.

/** Each payload sets `window.xss` to its number if it ever runs. */
const payloads = [
  '<img src=x onerror="window.xss=1">',
  '<svg onload="window.xss=2"></svg>',
  '<script>window.xss=3</script>',
  '[click me](javascript:window.xss=4)',
  '[x](JaVaScRiPt:window.xss=5)',
  '![pic](javascript:window.xss=6)',
  '<a href="javascript:window.xss=7">link</a>',
  '<iframe srcdoc="<script>parent.xss=8</script>"></iframe>',
  '[x](data:text/html,<script>parent.xss=9</script>)',
  '<details open ontoggle="window.xss=10">x</details>',
  '`<img src=x onerror=window.xss=11>`',
  '```html\n<img src=x onerror=window.xss=12>\n```',
  '<style>*{display:none}</style>',
  '[x](vbscript:msgbox(14))',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.xss=15>',
  '[a](https://example.com" onclick="window.xss=16)',
  '<a href=x onmouseover=window.xss=17>hover</a>',
  '![x](https://example.com/track.png)',
] as const;

let session: DemoSession;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  session = await startDemoSession({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
  await session?.close();
});

/** Opens the demo page with the CSP bypassed, recording dialogs and image/frame loads. */
async function unguardedDemoPage(): Promise<{ chat: ChatDriver; page: Page; dialogs: string[]; fetched: string[] }> {
  const page = await openPage(session.browser, `${session.server.url}/`, { bypassCSP: true });
  opened.push(page);
  const dialogs: string[] = [];
  const fetched: string[] = [];
  page.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.page.on('request', (request) => {
    if (['image', 'document', 'stylesheet'].includes(request.resourceType()) && request.frame() !== page.page.mainFrame()) {
      fetched.push(request.url());
    } else if (request.resourceType() === 'image' && !request.url().endsWith('/favicon.svg')) {
      fetched.push(request.url());
    }
  });
  const chat = new ChatDriver(page.page, '#text-chat');
  await chat.input.waitFor();
  await chat.recordEvents();
  return { chat, page: page.page, dialogs, fetched };
}

/** What is live in the chat's rendered answers: anything here is a hole. */
interface LiveMarkup {
  forbiddenElements: string[];
  handlerAttributes: string[];
  unsafeLinks: string[];
  styleAttributes: number;
  ran: unknown;
}

function liveMarkup(chat: ChatDriver): Promise<LiveMarkup> {
  return chat.element.evaluate((element) => {
    const forbidden = new Set(['script', 'img', 'svg', 'iframe', 'style', 'math', 'object', 'embed', 'details', 'link', 'meta', 'form', 'input', 'base', 'video', 'audio', 'source']);
    const nodes = [...(element.shadowRoot?.querySelectorAll('[part~="content"], [part~="content"] *') ?? [])];
    const links = nodes.filter((node) => node.hasAttribute('href')).map((node) => node.getAttribute('href') ?? '');
    return {
      forbiddenElements: nodes.filter((node) => forbidden.has(node.localName)).map((node) => node.outerHTML),
      handlerAttributes: nodes.flatMap((node) => node.getAttributeNames().filter((name) => name.startsWith('on') || name === 'srcdoc')),
      unsafeLinks: links.filter((href) => !/^(https?:|mailto:)/i.test(href.trim())),
      styleAttributes: nodes.filter((node) => node.hasAttribute('style')).length,
      ran: (window as unknown as { xss?: unknown }).xss,
    };
  });
}

/** Hovers, focuses and clicks every link in the answers (a `javascript:` URL would run now). */
async function pokeLinks(page: Page): Promise<void> {
  const links = page.locator('#text-chat [part~="content"] a');
  const count = await links.count();
  for (let index = 0; index < count; index += 1) {
    const link = links.nth(index);
    await link.hover();
    // Modifier-free clicks on http(s) links would navigate away; stop them first.
    await link.evaluate((node) => node.addEventListener('click', (event) => event.preventDefault(), { once: true }));
    await link.click();
  }
}

/**
 * Pokes every link, then checks that nothing in the answers is live, nothing ran, no
 * dialog opened and the page fetched nothing.
 */
async function expectInert(chat: ChatDriver, page: Page, dialogs: string[], fetched: string[]): Promise<void> {
  await pokeLinks(page);
  const live = await liveMarkup(chat);
  expect(live.forbiddenElements).toEqual([]);
  expect(live.handlerAttributes).toEqual([]);
  expect(live.unsafeLinks).toEqual([]);
  expect(live.styleAttributes).toBe(0);
  expect(live.ran, 'no payload ran').toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(fetched, 'the answers made the page fetch nothing').toEqual([]);
}

describe('the XSS corpus renders inert', () => {
  it('as model output streamed back through the server', async () => {
    const { chat, page, dialogs, fetched } = await unguardedDemoPage();
    // [[echo]]: the local upstream answers with the message itself, verbatim, token by
    // token, so every payload is also seen cut in the middle while it streams.
    await chat.ask(`${payloads.join('\n\n')}\n\n[[echo]] [[pace:0,300]]`);
    await chat.waitForEvent('ai-stream-done');
    // The quoting answer too: the prompt in a heading, a sentence and a code block.
    for (const [index, payload] of payloads.entries()) {
      await chat.ask(`${payload} [[length:60]]`);
      await chat.waitForEvent('ai-stream-done', index + 2);
    }
    await expectInert(chat, page, dialogs, fetched);
    // Shown, not dropped: the payloads are readable as text.
    const [echoed = ''] = await chat.answers();
    expect(echoed).toContain('onerror="window.xss=1"');
    expect(echoed).toContain('<script>window.xss=3</script>');
    expect(echoed).toContain('<iframe srcdoc=');
  }, 120_000);

  it('in a conversation restored through the `messages` property', async () => {
    const { chat, page, dialogs, fetched } = await unguardedDemoPage();
    await chat.element.evaluate((element: AiStreamChat, contents) => {
      element.messages = contents.flatMap((content) => [
        { role: 'user' as const, content },
        { role: 'assistant' as const, content: `Here it is: ${content}\n\n${content}\n` },
      ]);
    }, [...payloads]);
    await expect.poll(async () => (await chat.answers()).length).toBe(payloads.length);
    await expectInert(chat, page, dialogs, fetched);
    expect((await chat.answers()).join('\n')).toContain('<iframe srcdoc=');
  }, 60_000);
});
