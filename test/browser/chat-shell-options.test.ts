// The usage line on or off by attribute; a message box that grows with its text up to a bound.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import { cleanup, mountChat, nextEvent, nonce, part, shadow } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

describe('<ai-stream-chat> shell options', () => {
  afterEach(cleanup);

  it('usage="hidden" shows no usage line, while streaming or after', async () => {
    const chat = await mountChat();
    chat.setAttribute('usage', 'hidden');
    const seen: boolean[] = [];
    chat.addEventListener('ai-stream-token', () => void chat.updateComplete.then(() => seen.push(part(chat, 'usage') !== null)));
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Quiet ${nonce()} [[length:40]] [[pace:0,100]]`);
    await done;
    await chat.updateComplete;
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.every((shown) => !shown)).to.equal(true);
    expect(part(chat, 'usage')).to.equal(null);
    // And back on: the finished answer shows its counts.
    chat.removeAttribute('usage');
    chat.usage = 'show';
    await chat.updateComplete;
    expect(part(chat, 'usage')).to.not.equal(null);
  });

  it('the message box grows with its text, up to a bound', async () => {
    const chat = await mountChat();
    const input = shadow(chat).querySelector('textarea');
    if (!input) throw new Error('no textarea');
    const empty = input.getBoundingClientRect().height;
    input.focus();
    await sendKeys({ type: 'one' });
    for (let line = 0; line < 4; line++) {
      await sendKeys({ press: 'Shift+Enter' });
      await sendKeys({ type: 'more' });
    }
    const five = input.getBoundingClientRect().height;
    expect(five).to.be.greaterThan(empty * 1.5);
    for (let line = 0; line < 30; line++) await sendKeys({ press: 'Shift+Enter' });
    const many = input.getBoundingClientRect().height;
    const fontSize = parseFloat(getComputedStyle(input).fontSize);
    expect(many).to.be.at.most(12 * fontSize + 2);
    expect(input.scrollHeight).to.be.greaterThan(input.clientHeight);
  });
});
