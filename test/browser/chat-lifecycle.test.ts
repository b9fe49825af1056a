import { expect } from 'chai';
import type { StreamEvent, StreamRequest } from '../../widget/shared/protocol.js';
import { StreamClient } from '../../widget/stream-client.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part, shadow, upstreamClose, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

const slow = '[[length:400]] [[pace:0,40]]';

describe('<ai-stream-chat> cancel, retry and cleanup', () => {
  afterEach(cleanup);

  it('Cancel stops the answer on screen and at the upstream, and offers Retry', async () => {
    const chat = await mountChat();
    const id = nonce();
    void chat.send(`Go slowly ${id} ${slow}`);
    await nextEvent(chat, 'ai-stream-token');
    const cancelled = nextEvent(chat, 'ai-stream-cancel');
    part(chat, 'cancel-button')?.click();
    const event = await cancelled;
    const answer = lastAnswer(chat);
    const frozen = answer.textContent;
    expect(event.text.length).to.be.greaterThan(0);
    expect((await upstreamClose({ nonce: id })).reason).to.equal('client-aborted');
    expect(part(chat, 'retry-button')).to.not.equal(null);
    expect(part(chat, 'send-button')).to.not.equal(null);
    expect(chat.streaming).to.equal(false);
    // A whole later answer streamed and painted: anything the cancelled one still had in
    // flight would have landed before it.
    const next = nextEvent(chat, 'ai-stream-done');
    await chat.send(`And then ${nonce()} [[length:10]]`);
    await next;
    await chat.updateComplete;
    expect(lastAnswer(chat)).to.not.equal(answer);
    expect(answer.textContent, 'no text after the cancel').to.equal(frozen);
  });

  it('Retry after a failed answer re-sends the turn and leaves one clean answer', async () => {
    const chat = await mountChat();
    const failed = nextEvent(chat, 'ai-stream-error');
    await chat.send(`Fail once ${nonce()} [[fault:error-mid:1]] [[length:60]]`);
    const error = await failed;
    expect(part(chat, 'error')?.textContent).to.equal(error.error.message);
    expect(error.text.length, 'some text arrived before the fault').to.be.greaterThan(0);
    const done = nextEvent(chat, 'ai-stream-done');
    part(chat, 'retry-button')?.click();
    // The Retry button goes away; focus lands in the message box, not on the page body.
    expect(shadow(chat).activeElement?.tagName).to.equal('TEXTAREA');
    const answer = await done;
    await chat.updateComplete;
    expect(shadow(chat).querySelectorAll('[part~="assistant"]')).to.have.length(1);
    expect(lastAnswer(chat).textContent?.length).to.be.greaterThan(error.text.length);
    expect(part(chat, 'error')).to.equal(null);
    expect(chat.messages).to.have.length(2);
    expect(chat.messages[1]?.content).to.equal(answer.text);
  });

  it('an upstream failure before the first token is retried by the server: one clean answer, no error', async () => {
    const chat = await mountChat();
    let errors = 0;
    chat.addEventListener('ai-stream-error', () => (errors += 1));
    const id = nonce();
    await chat.send(`Flaky upstream ${id} [[fault:500:1]] [[length:20]]`);
    expect(errors).to.equal(0);
    expect(shadow(chat).querySelectorAll('[part~="assistant"]')).to.have.length(1);
    expect(chat.messages.at(-1)?.role).to.equal('assistant');
    expect((await upstreamClose({ nonce: id })).requests, 'the upstream saw the retry').to.equal(2);
  });

  it('removing the element mid-stream aborts its request', async () => {
    const chat = await mountChat();
    const id = nonce();
    void chat.send(`Then leave ${id} ${slow}`);
    await nextEvent(chat, 'ai-stream-token');
    const cancelled = nextEvent(chat, 'ai-stream-cancel');
    chat.remove();
    await cancelled;
    expect((await upstreamClose({ nonce: id })).reason).to.equal('client-aborted');
  });

  it('moving the element (remove and insert in one task) keeps the answer streaming', async () => {
    const chat = await mountChat();
    const done = nextEvent(chat, 'ai-stream-done');
    void chat.send(`Move me ${nonce()} [[length:30]] [[pace:0,100]]`);
    await nextEvent(chat, 'ai-stream-token');
    const box = document.createElement('div');
    document.body.append(box);
    box.append(chat);
    expect((await done).text.length).to.be.greaterThan(0);
    box.remove();
  });

  it('a newer answer aborts the older, and the older one never writes into the view', async () => {
    // A pathological client: its first stream ignores cancel and keeps talking.
    const real = new StreamClient({ endpoint: '/api/chat/stream' });
    let calls = 0;
    const deaf = deafStream();
    const client = {
      stream(request: StreamRequest) {
        calls += 1;
        return calls === 1 ? deaf : real.stream(request);
      },
    } as unknown as StreamClient;
    const chat = await mountChat();
    chat.client = client;
    const staleEvents: string[] = [];
    chat.addEventListener('ai-stream-token', (event) => event.content.includes('STALE') && staleEvents.push(event.content));
    void chat.send('first');
    await waitFor(() => lastAnswer(chat).textContent?.includes('STALE'), 'the first answer');
    const cancelled = nextEvent(chat, 'ai-stream-cancel');
    const second = chat.send(`second ${nonce()} [[length:20]] [[pace:0,50]]`);
    const cut = (await cancelled).text;
    await second;
    // Until the deaf stream has ended (it runs for a second unless its reader lets go):
    // everything it will ever send has been sent by then.
    await deaf.ended;
    await chat.updateComplete;
    const answers = [...shadow(chat).querySelectorAll('[part~="assistant"] [part~="content"]')].map((node) => node.textContent ?? '');
    // The first (cancelled) answer keeps what it had; nothing it sent later landed anywhere.
    expect(answers).to.have.length(2);
    expect(answers[0]).to.equal(cut);
    expect(answers[1]).to.not.include('STALE');
    expect(staleEvents.join('')).to.equal(cut);
  });
});

/** A stream whose cancel() does nothing: it sends a token every 20 ms for a second; `ended` resolves once its iteration is over, however it ended. */
function deafStream(): AsyncIterable<StreamEvent> & { cancel(): void; text: string; ended: Promise<void> } {
  let end = (): void => {};
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    text: '',
    ended,
    cancel() {
      // Deliberately ignored.
    },
    async *[Symbol.asyncIterator]() {
      try {
        yield { type: 'start', streamId: 'deaf', model: 'm', provider: 'p' };
        for (let index = 0; index < 50; index++) {
          yield { type: 'token', content: `STALE ${index} ` };
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        yield { type: 'done', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 50, totalTokens: 51, source: 'provider' } };
      } finally {
        end();
      }
    },
  };
}
