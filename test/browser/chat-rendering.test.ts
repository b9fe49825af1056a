import { expect } from 'chai';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, painted, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

describe('<ai-stream-chat> rendering a streamed answer', () => {
  afterEach(cleanup);

  it('shows the answer growing over many frames before it is done, with a typing indicator', async () => {
    const chat = await mountChat();
    const lengths = new Set<number>();
    let indicatorSeen = false;
    let done = false;
    const sample = (): void => {
      if (done) return;
      const content = shadow(chat).querySelector('[part~="assistant"] [part~="content"]');
      if (content?.textContent) lengths.add(content.textContent.length);
      if (part(chat, 'typing-indicator')) indicatorSeen = true;
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
    const finished = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Tell me about harbours ${nonce()} [[length:150]] [[pace:20,100]]`);
    await finished;
    done = true;
    await painted();
    expect(lengths.size, 'distinct lengths painted before done').to.be.at.least(5);
    expect(indicatorSeen).to.equal(true);
    expect(part(chat, 'typing-indicator')).to.equal(null);
    expect(lastAnswer(chat).textContent?.length).to.be.greaterThan(Math.max(...lengths) - 1);
  });

  it('renders markdown (emphasis, code blocks) and never leaves two text nodes side by side', async () => {
    const chat = await mountChat();
    let tokens = 0;
    chat.addEventListener('ai-stream-token', () => (tokens += 1));
    await chat.send(`Explain lighthouses ${nonce()} [[length:400]] [[pace:0,2000]]`);
    const content = lastAnswer(chat);
    expect(content.querySelector('em, strong'), 'emphasis').to.not.equal(null);
    expect(content.querySelector('pre > code'), 'fenced code').to.not.equal(null);
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    let textNodes = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      textNodes += 1;
      expect(node.previousSibling?.nodeType, `text after text: "${node.textContent}"`).to.not.equal(Node.TEXT_NODE);
    }
    expect(tokens).to.be.greaterThan(1);
    // Far fewer nodes than tokens: each token did not become a node of its own.
    expect(textNodes).to.be.below(400);
  });

  it('shows live token usage while streaming, then the final counts and speed', async () => {
    const chat = await mountChat();
    const sending = chat.send(`Describe the tide ${nonce()} [[length:80]] [[pace:0,60]]`);
    const live = await waitFor(() => part(chat, 'usage')?.textContent, 'live usage');
    expect(live).to.match(/~\d+\s+completion tokens?/);
    await sending;
    const usage = part(chat, 'usage')?.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(usage).to.match(/\d+ prompt · 80 completion tokens · [\d.]+ tokens\/s/);
  });

  it('fires start, token, done in order, bubbling and composed, with the usage', async () => {
    const chat = await mountChat();
    const seen: Event[] = [];
    const names = ['ai-stream-start', 'ai-stream-token', 'ai-stream-done', 'ai-stream-error', 'ai-stream-cancel', 'ai-stream-json'];
    const record = (event: Event): void => void seen.push(event);
    for (const name of names) document.addEventListener(name, record);
    try {
      await chat.send(`Say something ${nonce()} [[length:30]]`);
    } finally {
      for (const name of names) document.removeEventListener(name, record);
    }
    expect(seen[0]?.type).to.equal('ai-stream-start');
    expect(seen.at(-1)?.type).to.equal('ai-stream-done');
    const middle = seen.slice(1, -1).map((event) => event.type);
    expect(new Set(middle)).to.deep.equal(new Set(['ai-stream-token']));
    for (const event of seen) {
      expect(event.bubbles && event.composed, event.type).to.equal(true);
      expect(event.target).to.equal(chat);
    }
    const done = seen.at(-1) as HTMLElementEventMap['ai-stream-done'];
    expect(done.usage.completionTokens).to.equal(30);
    expect(done.finishReason).to.equal('stop');
    const lastToken = seen.at(-2) as HTMLElementEventMap['ai-stream-token'];
    expect(lastToken.text).to.equal(done.text);
    expect(chat.messages.at(-1)).to.deep.equal({ role: 'assistant', content: done.text });
  });

  it('keeps the conversation: messages can be read, restored and continued', async () => {
    const chat = await mountChat();
    chat.messages = [
      { role: 'user', content: 'What is a fjord?' },
      { role: 'assistant', content: 'A **narrow** inlet.' },
    ];
    await chat.updateComplete;
    expect(lastAnswer(chat).querySelector('strong')?.textContent).to.equal('narrow');
    await chat.send(`And a ria? ${nonce()} [[length:10]]`);
    expect(chat.messages.map((message) => message.role)).to.deep.equal(['user', 'assistant', 'user', 'assistant']);
    expect(shadow(chat).querySelectorAll('[part~="message"]')).to.have.length(4);
  });
});
