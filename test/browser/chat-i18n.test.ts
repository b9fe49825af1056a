import { expect } from 'chai';
import type { AxeResults } from 'axe-core';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { aiStreamChatStyles } from '../../widget/ai-stream-chat-styles.js';
import { registerLocale } from '../../widget/i18n.js';
import ar from '../../widget/locales/ar.js';
import de from '../../widget/locales/de.js';
import '../../widget/locales/fr.js';
import { StreamClient } from '../../widget/stream-client.js';
import { strings as english } from '../../widget/strings.js';
import { cleanup, nextEvent, nonce, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, before, describe, it } from './support/mocha.js';

interface Axe {
  run(context: Element | Document, options?: object): Promise<AxeResults>;
}

// axe-core ships as a UMD script; loaded as one it puts `axe` on window.
async function loadAxe(): Promise<Axe> {
  const script = document.createElement('script');
  script.src = '/node_modules/axe-core/axe.min.js';
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = reject;
  });
  document.head.append(script);
  await loaded;
  return (window as unknown as { axe: Axe }).axe;
}

const placed: HTMLElement[] = [];

/** An `<ai-stream-chat>` with these attributes, inside `parent` (removed after each test). */
async function mount(attributes: Record<string, string> = {}, parent: HTMLElement = document.body): Promise<AiStreamChat> {
  const chat = document.createElement('ai-stream-chat');
  for (const [name, value] of Object.entries(attributes)) chat.setAttribute(name, value);
  parent.append(chat);
  placed.push(chat);
  await chat.updateComplete;
  return chat;
}

/** A container for a test's page context (a `lang` or `dir` on an ancestor), removed after the test. */
function container(attributes: Record<string, string>): HTMLElement {
  const div = document.createElement('div');
  for (const [name, value] of Object.entries(attributes)) div.setAttribute(name, value);
  document.body.append(div);
  placed.push(div);
  return div;
}

function sendLabel(chat: AiStreamChat): string {
  return part(chat, 'send-button')?.textContent?.trim() ?? '';
}

/** Every line the polite live region receives from now on. */
function listenToAnnouncer(chat: AiStreamChat): { lines: string[]; stop: () => void } {
  const region = shadow(chat).querySelector<HTMLElement>('[aria-live="polite"]');
  if (!region) throw new Error('no live region');
  const lines: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) lines.push(node.textContent ?? '');
  });
  observer.observe(region, { childList: true });
  return { lines, stop: () => observer.disconnect() };
}

const box = (element: Element | null): DOMRect => {
  if (!element) throw new Error('element not rendered');
  return element.getBoundingClientRect();
};

describe('<ai-stream-chat> languages', () => {
  before(() => {
    document.documentElement.lang = 'en';
  });
  afterEach(() => {
    cleanup();
    for (const element of placed.splice(0)) element.remove();
  });

  it('lang="de" with the German locale loaded shows German labels', async () => {
    const chat = await mount({ lang: 'de' });
    expect(sendLabel(chat)).to.equal('Senden');
    const input = shadow(chat).querySelector('textarea');
    expect(input?.getAttribute('aria-label')).to.equal('Nachricht');
    expect(input?.getAttribute('placeholder')).to.equal(de.placeholder);
    expect(part(chat, 'transcript')?.getAttribute('aria-label')).to.equal('Unterhaltung');
    expect(part(chat, 'chat')?.getAttribute('dir'), 'a left-to-right language on its own element').to.equal('ltr');
  });

  it('labels code blocks in the locale: a kept failed answer restored by persist, and after a change of lang', async () => {
    const key = `i18n-${nonce()}`;
    const failed = { role: 'assistant', content: 'Teil:\n\n```js\nconst x = 1;\n```\n', failure: de.cancelled };
    localStorage.setItem(`ai-stream-chat:${key}`, JSON.stringify({ v: 1, savedAt: Date.now(), messages: [{ role: 'user', content: 'Frage' }, failed] }));
    try {
      const chat = await mount({ lang: 'de', persist: key });
      const button = await waitFor(() => part(chat, 'copy-code-button'), 'the restored code block');
      const block = shadow(chat).querySelector('pre');
      expect([button.getAttribute('aria-label'), block?.getAttribute('aria-label'), block?.getAttribute('tabindex')]).to.deep.equal([de.copyCode, de.code, '0']);
      chat.setAttribute('lang', 'en');
      await chat.updateComplete;
      expect([button.getAttribute('aria-label'), block?.getAttribute('aria-label')]).to.deep.equal([english.copyCode, english.code]);
    } finally {
      localStorage.removeItem(`ai-stream-chat:${key}`);
    }
  });

  it("follows the page's lang when the element has none, and a change of its own lang at once", async () => {
    const chat = await mount({}, container({ lang: 'fr-CA' }));
    expect(sendLabel(chat)).to.equal('Envoyer');
    chat.setAttribute('lang', 'de');
    await waitFor(() => sendLabel(chat) === 'Senden', 'the German label after lang changed');
  });

  it('falls back to English for a language without a locale', async () => {
    const chat = await mount({ lang: 'xx' });
    expect(sendLabel(chat)).to.equal(english.send);
    expect(shadow(chat).querySelector('textarea')?.getAttribute('placeholder')).to.equal(english.placeholder);
  });

  it("a site's strings win over the locale, key by key, and the placeholder attribute over both", async () => {
    const chat = await mount({ lang: 'de', placeholder: 'Ihre Frage' });
    chat.strings = { send: 'Los', cancel: 'Halt' };
    await chat.updateComplete;
    expect(sendLabel(chat)).to.equal('Los');
    expect(shadow(chat).querySelector('textarea')?.getAttribute('placeholder')).to.equal('Ihre Frage');
    expect(part(chat, 'transcript')?.getAttribute('aria-label'), 'keys the site left alone stay German').to.equal('Unterhaltung');
    const sending = chat.send(`Slowly ${nonce()} [[length:200]] [[pace:0,20]]`);
    await waitFor(() => sendLabel(chat) === 'Halt', 'the overridden Cancel label while streaming');
    chat.cancel();
    await sending;
  });

  it('a locale registered after the element rendered applies at once', async () => {
    const chat = await mount({ lang: 'nl' });
    expect(sendLabel(chat)).to.equal(english.send);
    registerLocale('nl', { send: 'Verstuur' });
    await waitFor(() => sendLabel(chat) === 'Verstuur', 'the Dutch label after registerLocale');
  });

  it('announces, labels and reports errors in the locale', async () => {
    const chat = await mount({ lang: 'de' });
    const announcer = listenToAnnouncer(chat);
    const sending = chat.send(`Lange Antwort ${nonce()} [[reasoning:20]] [[length:200]] [[pace:0,40]]`);
    await waitFor(() => announcer.lines.includes(de.thinking), 'the German Thinking announcement');
    expect(shadow(chat).querySelector('.typing .visually-hidden')?.textContent).to.equal(de.writing);
    chat.cancel();
    await sending;
    announcer.stop();
    expect(announcer.lines).to.include(de.cancelled);
    expect(part(chat, 'retry-button')?.textContent?.trim()).to.equal(de.retry);

    const failed = nextEvent(chat, 'ai-stream-error');
    await chat.send(`Kaputt ${nonce()} [[fault:error-mid]] [[length:40]]`);
    const { error } = await failed;
    const shown = [...shadow(chat).querySelectorAll('[part~="error"]')].at(-1)?.textContent;
    expect(shown).to.equal(de.serverError(error.code));
    expect(shown).to.not.equal(error.message);
  });

  it("shows a client-side failure in the locale's words (an HTTP error without the protocol's body)", async () => {
    const chat = await mount({ lang: 'de' });
    chat.client = new StreamClient({ endpoint: `/no-such-endpoint-${nonce()}`, retry: { retries: 0 } });
    const failed = nextEvent(chat, 'ai-stream-error');
    await chat.send('Hallo');
    const { error } = await failed;
    expect(error.code).to.equal('http_error');
    expect(part(chat, 'error')?.textContent).to.equal(de.httpError(String(error.status)));
  });

  it('formats the usage line with the locale: numbers and plurals', async () => {
    const chat = await mount({ lang: 'de' });
    await chat.send(`Zähle ${nonce()} [[length:12]]`);
    const usage = part(chat, 'usage')?.textContent ?? '';
    expect(usage).to.match(/\d+ Prompt · \d+ Antwort-Tokens?/);
    expect(usage).to.not.match(/completion|prompt ·/);
  });

  describe('right to left', () => {
    it('lang="ar" sets dir="rtl" and mirrors the layout: Send on the left, the question on the left', async () => {
      const chat = await mount({ lang: 'ar' });
      const frame = part(chat, 'chat');
      expect(frame?.getAttribute('dir')).to.equal('rtl');
      expect(getComputedStyle(frame as Element).direction).to.equal('rtl');
      expect(sendLabel(chat)).to.equal(ar.send);
      const input = shadow(chat).querySelector('textarea');
      expect(box(part(chat, 'send-button')).right, 'Send sits left of the message box').to.be.at.most(box(input).left);

      await chat.send(`سؤال ${nonce()} [[length:10]]`);
      const transcript = box(part(chat, 'transcript'));
      const question = box(shadow(chat).querySelector('[part~="user"]'));
      expect(question.left - transcript.left, 'the question hugs the left edge').to.be.below(transcript.right - question.right);
      // The copy-code and quote rules are logical: the stylesheet names no physical side.
      expect(aiStreamChatStyles.cssText).to.not.match(/(?:margin|padding|border)-(?:left|right)\b|text-align:\s*(?:left|right)|float:/);
    });

    it('in English the same layout is not mirrored', async () => {
      const chat = await mount({ lang: 'en' });
      expect(box(part(chat, 'send-button')).left).to.be.at.least(box(shadow(chat).querySelector('textarea')).right);
      await chat.send(`Question ${nonce()} [[length:10]]`);
      const transcript = box(part(chat, 'transcript'));
      const question = box(shadow(chat).querySelector('[part~="user"]'));
      expect(transcript.right - question.right).to.be.below(question.left - transcript.left);
    });

    it("inherits the page's dir when it has no lang, and keeps an explicit dir", async () => {
      const inherited = await mount({}, container({ dir: 'rtl' }));
      expect(part(inherited, 'chat')?.hasAttribute('dir')).to.equal(false);
      expect(getComputedStyle(part(inherited, 'chat') as Element).direction).to.equal('rtl');
      const german = await mount({ lang: 'de' }, container({ dir: 'rtl' }));
      expect(getComputedStyle(part(german, 'chat') as Element).direction, 'German text on an RTL page').to.equal('ltr');
      const explicit = await mount({ lang: 'ar', dir: 'ltr' });
      expect(getComputedStyle(part(explicit, 'chat') as Element).direction, 'the site chose ltr').to.equal('ltr');
    });

    it('has no axe violations in Arabic: empty, answered, failed', async () => {
      const axe = await loadAxe();
      // A page as a site would have it, so page-level rules judge the widget, not the harness.
      document.title = 'ai-stream-chat in Arabic';
      const main = document.createElement('main');
      const heading = document.createElement('h1');
      heading.textContent = 'Help centre';
      main.append(heading);
      document.body.append(main);
      placed.push(main);
      const chat = await mount({ lang: 'ar' }, main);
      const violations = async (): Promise<string[]> => {
        const results = await axe.run(document, { resultTypes: ['violations'] });
        return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      };
      expect(await violations(), 'empty').to.deep.equal([]);
      await chat.send(`سؤال ${nonce()} [[length:60]]`);
      expect(await violations(), 'answered').to.deep.equal([]);
      await chat.send(`سؤال آخر ${nonce()} [[fault:error-mid]] [[length:60]]`);
      expect(part(chat, 'retry-button')?.textContent?.trim()).to.equal(ar.retry);
      expect(await violations(), 'failed').to.deep.equal([]);
    });
  });
});
