import { expect } from 'chai';
import { createMarkdownView } from '../../widget/markdown-view.js';
import { cleanup, lastAnswer, mountChat, painted, shadow } from './support/chat-fixture.js';
import { afterEach, beforeEach, describe, it } from './support/mocha.js';
import { unsafeFindings, xssAnswer, xssCorpus } from './support/xss-corpus.js';
import { mulberry32 } from '../../demo/upstream/mulberry32.js';
import { randomChunks } from '../support/random-splits.js';

declare global {
  interface Window {
    __xssHits?: number;
  }
}

/** A small seeded generator, so a failing split can be replayed. */
const seeded = mulberry32;

/** `text` cut into pieces of 1 to 12 characters, like tokens off the wire. */
const randomSplits = (text: string, random: () => number): string[] => randomChunks(text, random, 12);

function render(pieces: readonly string[]): HTMLElement {
  const root = document.createElement('div');
  const view = createMarkdownView(root);
  for (const piece of pieces) view.write(piece);
  view.end();
  return root;
}

/**
 * Waits until any handler that did get attached (image errors, toggles) has had its
 * turn: a control image with a missing source and a control `<details open>`, added
 * after what is checked, fire their own error and toggle events (a toggle is queued
 * after those queued before it; an image error after its 404 comes back).
 */
async function settle(): Promise<void> {
  await painted();
  const image = document.createElement('img');
  const details = document.createElement('details');
  const errored = new Promise((resolve) => image.addEventListener('error', resolve, { once: true }));
  const toggled = new Promise((resolve) => details.addEventListener('toggle', resolve, { once: true }));
  image.src = `/xss-control-missing-${Math.random().toString(36).slice(2)}.png`;
  details.open = true;
  document.body.append(image, details);
  await Promise.all([errored, toggled]);
  image.remove();
  details.remove();
}

function trackerFetches(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => name.includes('xss-tracker'));
}

describe('markdown rendering is inert for an XSS corpus', () => {
  beforeEach(() => {
    window.__xssHits = 0;
  });
  afterEach(cleanup);

  for (const payload of xssCorpus) {
    it(`renders inert: ${JSON.stringify(payload).slice(0, 70)}`, async () => {
      const root = render([payload]);
      document.body.append(root);
      await settle();
      root.remove();
      expect(unsafeFindings(root)).to.deep.equal([]);
      expect(window.__xssHits).to.equal(0);
    });
  }

  it('stays inert when the corpus arrives in random splits (20 seeds)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const root = render(randomSplits(xssAnswer, seeded(seed)));
      document.body.append(root);
      await settle();
      root.remove();
      expect(unsafeFindings(root), `seed ${seed}`).to.deep.equal([]);
      expect(window.__xssHits, `seed ${seed}`).to.equal(0);
    }
    expect(trackerFetches()).to.deep.equal([]);
  });

  it('shows raw HTML as text, and keeps safe links working', () => {
    const root = render(['<b onclick="x()">not bold</b> and [docs](https://example.com/docs) and <mailto:a@example.com>']);
    expect(root.querySelector('b')).to.equal(null);
    expect(root.textContent).to.include('<b onclick="x()">not bold</b>');
    const link = root.querySelector('a[href="https://example.com/docs"]');
    expect(link?.textContent).to.equal('docs');
    expect(link?.getAttribute('rel')).to.include('noopener');
  });

  it('shows an image as a link to it, fetching nothing', async () => {
    const root = render(['![a chart](https://127.0.0.1:9/xss-tracker-chart.png)']);
    document.body.append(root);
    await settle();
    root.remove();
    expect(root.querySelector('img')).to.equal(null);
    const link = root.querySelector('a');
    expect(link?.textContent).to.equal('a chart');
    expect(link?.getAttribute('href')).to.equal('https://127.0.0.1:9/xss-tracker-chart.png');
    expect(trackerFetches()).to.deep.equal([]);
  });

  it('the element renders the whole corpus inert in its shadow DOM', async () => {
    const chat = await mountChat();
    chat.messages = [
      { role: 'user', content: 'Say something dangerous' },
      { role: 'assistant', content: xssAnswer },
    ];
    await chat.updateComplete;
    await settle();
    expect(unsafeFindings(lastAnswer(chat))).to.deep.equal([]);
    expect(shadow(chat).querySelector('img, svg, iframe, script, object, embed, style, math, details')).to.equal(null);
    expect(window.__xssHits).to.equal(0);
    expect(trackerFetches()).to.deep.equal([]);
    // The page around it is untouched by the <style> payloads.
    expect(getComputedStyle(chat).display).to.equal('block');
  });
});
