import { expect } from 'chai';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { afterEach, describe, it } from './support/mocha.js';
import '../../widget/index.js';

// Persistence is a lazy chunk (widget/persistence-loader.ts): what the page does before
// it is in must count as it did when the code was in the element.

function record(messages: unknown[]): string {
  return JSON.stringify({ v: 1, savedAt: Date.now(), messages });
}

describe('<ai-stream-chat persist> before its chunk is in', () => {
  afterEach(() => {
    for (const chat of document.querySelectorAll('ai-stream-chat')) chat.remove();
    localStorage.clear();
  });

  it('messages set before the first update win over the kept conversation, on screen and in storage', async () => {
    localStorage.setItem('ai-stream-chat:early', record([{ role: 'user', content: 'Kept before' }, { role: 'assistant', content: 'Old answer' }]));
    const chat = document.createElement('ai-stream-chat') as AiStreamChat;
    chat.persist = 'early';
    const mine = [{ role: 'user' as const, content: 'Set by the page' }];
    chat.messages = mine;
    document.body.append(chat);
    await chat.updateComplete;
    expect(chat.messages).to.deep.equal(mine);
    expect(JSON.parse(localStorage.getItem('ai-stream-chat:early') ?? '{}').messages).to.deep.equal(mine);
  });
});
