import { expect } from 'chai';
import type { AxeResults } from 'axe-core';
import { emulateMedia } from '@web/test-runner-commands';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part, shadow } from './support/chat-fixture.js';
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

async function violations(axe: Axe): Promise<string[]> {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

function announcer(chat: AiStreamChat): HTMLElement {
  const region = shadow(chat).querySelector<HTMLElement>('[aria-live="polite"]');
  if (!region) throw new Error('no live region');
  return region;
}

describe('<ai-stream-chat> accessibility', () => {
  let axe: Axe;
  // A page as a site would have it, so page-level rules judge the widget, not the harness.
  const main = document.createElement('main');
  before(async () => {
    axe = await loadAxe();
    document.documentElement.lang = 'en';
    document.title = 'ai-stream-chat accessibility';
    const title = document.createElement('h1');
    title.textContent = 'Help centre';
    main.append(title);
    document.body.append(main);
  });
  afterEach(async () => {
    cleanup();
    await emulateMedia({ reducedMotion: 'no-preference', colorScheme: 'light' });
  });

  it('has no axe violations: empty, answered, failed, and in dark mode', async () => {
    const chat = await mountChat({ heading: 'Ask the docs' }, main);
    expect(await violations(axe), 'empty').to.deep.equal([]);
    await chat.send(`A question ${nonce()} [[length:60]]`);
    expect(await violations(axe), 'answered').to.deep.equal([]);
    await chat.send(`Another ${nonce()} [[fault:error-mid]] [[length:60]]`);
    expect(part(chat, 'retry-button')).to.not.equal(null);
    expect(await violations(axe), 'failed').to.deep.equal([]);
    await emulateMedia({ colorScheme: 'dark' });
    expect(await violations(axe), 'dark').to.deep.equal([]);
  });

  it('has no axe violations while streaming and in JSON mode', async () => {
    const chat = await mountChat({ mode: 'json' }, main);
    const sending = chat.send(`A person ${nonce()} [[length:80]] [[pace:0,100]]`);
    await nextEvent(chat, 'ai-stream-token');
    expect(await violations(axe), 'streaming').to.deep.equal([]);
    await sending;
    expect(await violations(axe), 'json answer').to.deep.equal([]);
  });

  it('announces whole sentences, not tokens, while the visible transcript stays quiet', async () => {
    const chat = await mountChat();
    expect(part(chat, 'transcript')?.getAttribute('aria-live')).to.equal('off');
    const region = announcer(chat);
    const announced: string[] = [];
    const observer = new MutationObserver(() => {
      const last = region.lastElementChild?.textContent;
      if (last) announced.push(last);
    });
    observer.observe(region, { childList: true });
    let tokens = 0;
    chat.addEventListener('ai-stream-token', () => (tokens += 1));
    await chat.send(`Tell me about tides ${nonce()} [[length:200]] [[pace:0,400]]`);
    observer.disconnect();
    expect(announced.length).to.be.greaterThan(1);
    expect(announced.length).to.be.below(tokens);
    // Every announcement but the last ends a sentence or a line (a heading, a list item);
    // none carries markdown syntax.
    const blocks = [...lastAnswer(chat).querySelectorAll('h1, h2, h3, h4, h5, h6, li, p')].map((block) =>
      (block.textContent ?? '').replace(/\s+/g, ' ').trim(),
    ).filter(Boolean);
    const codeLines = [...lastAnswer(chat).querySelectorAll('pre')].flatMap((block) => (block.textContent ?? '').split('\n'));
    for (const text of announced.slice(0, -1)) {
      const endsSentence = /[.!?…]["'”’)\]]*$/.test(text);
      const endsBlock = blocks.some((block) => block.endsWith(text) || text.endsWith(block)) || codeLines.some((line) => line.trim() === text);
      expect(endsSentence || endsBlock, text).to.equal(true);
    }
    for (const text of announced) expect(text).to.not.match(/\*\*|^#|```/);
    expect(region.childElementCount).to.be.at.most(3);
  });

  it('labels its controls', async () => {
    const chat = await mountChat();
    expect(shadow(chat).querySelector('textarea')?.getAttribute('aria-label')).to.equal('Message');
    expect(part(chat, 'send-button')?.textContent?.trim()).to.equal('Send');
    expect(part(chat, 'chat')?.getAttribute('aria-label')).to.equal('Chat');
    chat.heading = 'Support';
    await chat.updateComplete;
    expect(part(chat, 'chat')?.getAttribute('aria-labelledby')).to.equal('heading');
  });

  it('the typing indicator stops animating when the reader prefers reduced motion', async () => {
    const chat = await mountChat();
    const dotAnimation = async (): Promise<string> => {
      void chat.send(`Dots ${nonce()} [[length:200]] [[pace:300,20]]`);
      const dot = await new Promise<Element>((resolve) => {
        const check = (): void => {
          const found = part(chat, 'typing-indicator')?.querySelector('span');
          if (found) resolve(found);
          else requestAnimationFrame(check);
        };
        check();
      });
      const name = getComputedStyle(dot).animationName;
      chat.cancel();
      return name;
    };
    expect(await dotAnimation()).to.not.equal('none');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(await dotAnimation()).to.equal('none');
  });
});
