// "Jump to latest" while an answer streams below where the reader scrolled; heading sizes.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { cleanup, lastAnswer, mountChat, nonce, painted, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

function distanceFromEnd(element: HTMLElement): number {
  return element.scrollHeight - element.scrollTop - element.clientHeight;
}

function transcriptOf(chat: AiStreamChat): HTMLElement {
  const transcript = part(chat, 'transcript');
  if (!transcript) throw new Error('no transcript');
  return transcript;
}

async function scrollToTop(transcript: HTMLElement): Promise<void> {
  transcript.scrollTop = 0;
  transcript.dispatchEvent(new Event('scroll'));
  await painted();
}

describe('<ai-stream-chat> jump to latest', () => {
  afterEach(cleanup);

  it('appears only when the reader scrolled up during a stream, and takes them to the end (keyboard)', async () => {
    const chat = await mountChat();
    chat.style.setProperty('--ai-stream-chat-max-height', '160px');
    // Far longer than the test reads (it cancels at the end).
    void chat.send(`A long one ${nonce()} [[length:5000]] [[pace:0,120]]`);
    const transcript = transcriptOf(chat);
    await waitFor(() => transcript.scrollHeight > transcript.clientHeight * 2, 'an answer taller than the view');
    await painted();
    expect(part(chat, 'jump-button'), 'not while the reader follows the end').to.equal(null);

    await scrollToTop(transcript);
    const jump = await waitFor(() => part<HTMLButtonElement>(chat, 'jump-button'), 'the jump button');
    expect(jump.textContent?.replace(/\s+/g, ' ').trim()).to.equal('Jump to latest ↓');
    expect(jump.querySelector('[aria-hidden="true"]')?.textContent, 'the arrow is not read out').to.equal('↓');
    // On screen, over the transcript's lower edge.
    const box = jump.getBoundingClientRect();
    const view = transcript.getBoundingClientRect();
    expect(box.bottom).to.be.at.most(view.bottom);
    expect(box.top).to.be.at.least(view.top);

    jump.focus();
    await sendKeys({ press: 'Enter' });
    await chat.updateComplete;
    await painted();
    expect(distanceFromEnd(transcript)).to.be.below(30);
    expect(part(chat, 'jump-button')).to.equal(null);
    expect(shadow(chat).activeElement, 'focus goes on in the transcript').to.equal(transcript);
    // And it follows again as more text arrives.
    const height = transcript.scrollHeight;
    await waitFor(() => transcript.scrollHeight > height + 100, 'more text');
    await painted();
    expect(distanceFromEnd(transcript)).to.be.below(30);
    chat.cancel();
  });

  it('goes when the answer ends, and does not show for a reader scrolled up in a finished conversation', async () => {
    const chat = await mountChat();
    chat.style.setProperty('--ai-stream-chat-max-height', '160px');
    const sending = chat.send(`Long enough ${nonce()} [[length:5000]] [[pace:0,120]]`);
    const transcript = transcriptOf(chat);
    await waitFor(() => transcript.scrollHeight > transcript.clientHeight * 2, 'an answer taller than the view');
    await scrollToTop(transcript);
    await waitFor(() => part(chat, 'jump-button'), 'the jump button');
    // Ended here by a cancel: the same end as any other for the button.
    chat.cancel();
    await sending;
    await chat.updateComplete;
    expect(part(chat, 'jump-button'), 'gone with the stream').to.equal(null);
    expect(transcript.scrollTop, 'the reader was not moved').to.equal(0);
    transcript.scrollTop = 50;
    transcript.dispatchEvent(new Event('scroll'));
    await chat.updateComplete;
    expect(part(chat, 'jump-button')).to.equal(null);
  });
});

describe('<ai-stream-chat> headings', () => {
  afterEach(cleanup);

  it('h1 to h6 get smaller level by level, h1 to h4 larger than body text', async () => {
    const chat = await mountChat();
    await chat.send(`[[echo]]# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\nBody text.\n`);
    const content = lastAnswer(chat);
    const size = (selector: string): number => {
      const element = content.querySelector(selector);
      if (!element) throw new Error(`no ${selector}`);
      return parseFloat(getComputedStyle(element).fontSize);
    };
    const sizes = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map(size);
    for (let level = 1; level < sizes.length; level++) expect(sizes[level], `h${level + 1} < h${level}`).to.be.below(sizes[level - 1] ?? 0);
    const body = size('p');
    expect(sizes[0]).to.be.at.least(body * 1.4);
    expect(sizes[3]).to.be.above(body);
    // h6, smaller than the body text, stands apart by its weight and colour.
    const six = content.querySelector('h6');
    const paragraph = content.querySelector('p');
    if (!six || !paragraph) throw new Error('no h6 or p');
    expect(Number(getComputedStyle(six).fontWeight)).to.be.above(Number(getComputedStyle(paragraph).fontWeight));
    expect(getComputedStyle(six).color).to.not.equal(getComputedStyle(paragraph).color);
  });
});
