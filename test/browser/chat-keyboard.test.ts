import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import { cleanup, mountChat, nextEvent, nonce, part, shadow } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

function input(chat: HTMLElement & { shadowRoot: ShadowRoot | null }): HTMLTextAreaElement {
  const textarea = chat.shadowRoot?.querySelector('textarea');
  if (!textarea) throw new Error('no textarea');
  return textarea;
}

describe('<ai-stream-chat> keyboard and focus', () => {
  afterEach(cleanup);

  it('Enter sends the message and clears the box; focus stays in the box', async () => {
    const chat = await mountChat();
    const box = input(chat);
    box.focus();
    const started = nextEvent(chat, 'ai-stream-start');
    await sendKeys({ type: `Hello there ${nonce()} [[length:10]]` });
    await sendKeys({ press: 'Enter' });
    await started;
    expect(box.value).to.equal('');
    expect(chat.messages[0]?.content).to.match(/^Hello there /);
    expect(shadow(chat).activeElement).to.equal(box);
    await nextEvent(chat, 'ai-stream-done');
  });

  it('Shift+Enter adds a new line and sends nothing', async () => {
    const chat = await mountChat();
    const box = input(chat);
    box.focus();
    await sendKeys({ type: 'line one' });
    await sendKeys({ press: 'Shift+Enter' });
    await sendKeys({ type: 'line two' });
    expect(box.value).to.equal('line one\nline two');
    expect(chat.messages).to.have.length(0);
    expect(chat.streaming).to.equal(false);
  });

  it('Esc cancels the answer in progress', async () => {
    const chat = await mountChat();
    const box = input(chat);
    box.focus();
    await sendKeys({ type: `Long one ${nonce()} [[length:400]] [[pace:0,40]]` });
    await sendKeys({ press: 'Enter' });
    await nextEvent(chat, 'ai-stream-token');
    const cancelled = nextEvent(chat, 'ai-stream-cancel');
    await sendKeys({ press: 'Escape' });
    await cancelled;
    expect(chat.streaming).to.equal(false);
    expect(part(chat, 'retry-button')).to.not.equal(null);
  });

  it('the Send button becomes Cancel while streaming, keeping focus, and cancels by keyboard', async () => {
    const chat = await mountChat();
    input(chat).value = `Button ${nonce()} [[length:400]] [[pace:0,40]]`;
    const button = part<HTMLButtonElement>(chat, 'send-button');
    button?.focus();
    await sendKeys({ press: 'Enter' });
    await nextEvent(chat, 'ai-stream-token');
    const cancel = part<HTMLButtonElement>(chat, 'cancel-button');
    expect(cancel).to.equal(button);
    expect(cancel?.textContent?.trim()).to.equal('Cancel');
    expect(shadow(chat).activeElement).to.equal(cancel);
    const cancelled = nextEvent(chat, 'ai-stream-cancel');
    await sendKeys({ press: 'Enter' });
    await cancelled;
    await chat.updateComplete;
    expect(shadow(chat).activeElement?.textContent?.trim()).to.equal('Send');
  });

  it('Enter while an answer streams keeps the draft instead of sending it', async () => {
    const chat = await mountChat();
    void chat.send(`Busy ${nonce()} [[length:400]] [[pace:0,40]]`);
    await nextEvent(chat, 'ai-stream-token');
    const box = input(chat);
    box.focus();
    await sendKeys({ type: 'next question' });
    await sendKeys({ press: 'Enter' });
    expect(box.value).to.equal('next question');
    expect(chat.messages.filter((message) => message.role === 'user')).to.have.length(1);
    chat.cancel();
  });
});
