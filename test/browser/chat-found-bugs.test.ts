// Bugs found trying the widget as a new user would (issue 13); each test failed before its fix.
import { expect } from 'chai';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part, shadow } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

describe('<ai-stream-chat> bugs found trying it', () => {
  const added: HTMLElement[] = [];
  afterEach(() => {
    cleanup();
    for (const element of added.splice(0)) element.remove();
  });

  it('an ai-stream-done handler sees the finished turn in messages (the save/restore recipe)', async () => {
    const chat = await mountChat();
    let saved = '';
    // The recipe of docs/embedding.md, verbatim apart from the storage.
    chat.addEventListener('ai-stream-done', () => (saved = JSON.stringify(chat.messages)));
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Save me ${nonce()} [[length:12]]`);
    const answer = (await done).text;
    const messages = JSON.parse(saved) as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).to.deep.equal(['user', 'assistant']);
    expect(messages[1]?.content).to.equal(answer);
  });

  it('says "1 completion token", singular', async () => {
    const chat = await mountChat();
    await chat.send(`One ${nonce()} [[length:1]]`);
    await chat.updateComplete;
    const usage = part(chat, 'usage')?.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(usage).to.match(/\b1 completion token\b/);
    expect(usage).to.not.match(/\b1 completion tokens/);
  });

  it('keeps ::part(send-button) styles while an answer streams, with a state to style Cancel apart', async () => {
    const style = document.createElement('style');
    style.textContent = 'ai-stream-chat.parted::part(send-button) { border-radius: 0px; }';
    document.head.append(style);
    added.push(style);
    const chat = await mountChat();
    chat.classList.add('parted');
    void chat.send(`Slow ${nonce()} [[length:200]] [[pace:0,40]]`);
    await nextEvent(chat, 'ai-stream-token');
    await chat.updateComplete;
    const button = part(chat, 'send-button');
    if (!button) throw new Error('the send-button part is gone while streaming');
    expect(getComputedStyle(button).borderRadius).to.equal('0px');
    expect(button.getAttribute('part')).to.include('cancel-button');
    expect(button.dataset['state']).to.equal('streaming');
    chat.cancel();
    await chat.updateComplete;
    expect(part(chat, 'send-button')?.dataset['state']).to.equal('idle');
    expect(part(chat, 'cancel-button')).to.equal(null);
  });

  it('an answer cut off just inside a code fence leaves no empty code block', async () => {
    const chat = await mountChat();
    // The echoed answer is cut after its 6th token, "```ts\n": the fence is open, the block empty.
    chat.maxTokens = 6;
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Look:\n\n\`\`\`ts\nconst answer = 42;\n\`\`\`\n${nonce()} [[echo]]`);
    expect((await done).finishReason).to.equal('length');
    await chat.updateComplete;
    expect(lastAnswer(chat).textContent).to.include('Look:');
    // Compared as markup: chai describing a DOM node in a failure message hangs the page.
    expect(lastAnswer(chat).innerHTML, 'no empty code block').to.not.include('<pre');
    // The same text restored from messages renders the same way.
    chat.messages = chat.messages;
    await chat.updateComplete;
    expect(lastAnswer(chat).innerHTML).to.not.include('<pre');
  });
});
