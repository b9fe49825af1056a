// Inline mode on a phone-sized screen: the chat never grows taller than the screen, so
// with its top in view its message box is in view too.
import { expect } from 'chai';
import { setViewport } from '@web/test-runner-commands';
import { cleanup, mountChat, nonce, painted, shadow } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

describe('<ai-stream-chat> on a 390 × 844 screen', () => {
  afterEach(async () => {
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('a transcript allowed to grow past the screen gives way, and the message box stays in view', async () => {
    await setViewport({ width: 390, height: 844 });
    const chat = await mountChat({ heading: 'Help' });
    // A site that lets the transcript grow very tall.
    chat.style.setProperty('--ai-stream-chat-max-height', '3000px');
    await chat.send(`A tall answer ${nonce()} [[length:1200]]`);
    await painted();
    chat.scrollIntoView({ block: 'start' });
    expect(chat.getBoundingClientRect().height).to.be.at.most(844);
    const input = shadow(chat).querySelector('textarea')?.getBoundingClientRect();
    expect(input && input.top >= 0 && input.bottom <= 844, 'message box in view').to.equal(true);
  });
});
