import { expect } from 'chai';
import { cleanup, mountChat, nonce, painted, part, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

function distanceFromEnd(element: HTMLElement): number {
  return element.scrollHeight - element.scrollTop - element.clientHeight;
}

describe('<ai-stream-chat> scrolling while text arrives', () => {
  afterEach(cleanup);

  it('follows new text at the bottom, stays put when the reader scrolled up, follows again at the bottom', async () => {
    const chat = await mountChat();
    chat.style.setProperty('--ai-stream-chat-max-height', '160px');
    // Far longer than the test reads (it cancels at the end): a loaded machine must not
    // let the answer finish before the last "more text" arrives.
    void chat.send(`A long one ${nonce()} [[length:5000]] [[pace:0,120]]`);
    const transcript = part(chat, 'transcript');
    if (!transcript) throw new Error('no transcript');

    // At the bottom: the view keeps up as the answer outgrows it.
    await waitFor(() => transcript.scrollHeight > transcript.clientHeight * 2, 'an answer taller than the view');
    await painted();
    expect(distanceFromEnd(transcript)).to.be.below(30);

    // Scrolled up: nothing moves while more text arrives.
    transcript.scrollTop = 0;
    transcript.dispatchEvent(new Event('scroll'));
    const heightWhenScrolledUp = transcript.scrollHeight;
    await waitFor(() => transcript.scrollHeight > heightWhenScrolledUp + 100, 'more text');
    await painted();
    expect(transcript.scrollTop).to.equal(0);

    // Back at the bottom: following resumes.
    transcript.scrollTop = transcript.scrollHeight;
    transcript.dispatchEvent(new Event('scroll'));
    const heightAtBottom = transcript.scrollHeight;
    await waitFor(() => transcript.scrollHeight > heightAtBottom + 100, 'still more text');
    await painted();
    expect(distanceFromEnd(transcript)).to.be.below(30);
    chat.cancel();
  });
});
