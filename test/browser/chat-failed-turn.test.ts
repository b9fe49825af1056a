// A failed turn stays in the transcript, retryable, and the history sent next is one a provider accepts.
import { expect } from 'chai';
import type { StreamRequest } from '../../widget/shared/protocol.js';
import { StreamClient } from '../../widget/stream-client.js';
import { cleanup, mountChat, nextEvent, nonce, shadow } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

/** The real client, recording every request the element makes. */
function recordingClient(requests: StreamRequest[]): StreamClient {
  const real = new StreamClient({ endpoint: '/api/chat/stream' });
  return { stream: (request: StreamRequest) => (requests.push(request), real.stream(request)) } as unknown as StreamClient;
}

function roles(request: StreamRequest | undefined): string[] {
  return (request?.messages ?? []).map((message) => message.role);
}

describe('<ai-stream-chat> a failed turn', () => {
  afterEach(cleanup);

  it('stays visible with its error and Retry after the next message, which is sent without it', async () => {
    const requests: StreamRequest[] = [];
    const chat = await mountChat();
    chat.client = recordingClient(requests);
    const failed = nextEvent(chat, 'ai-stream-error');
    const question = `Doomed ${nonce()} [[fault:error-first]]`;
    await chat.send(question);
    const { error } = await failed;
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Next ${nonce()} [[length:8]]`);
    await done;
    await chat.updateComplete;

    const turns = [...shadow(chat).querySelectorAll('[part~="message"]')].map((node) => node.getAttribute('part'));
    expect(turns).to.deep.equal(['message user', 'message assistant', 'message user', 'message assistant']);
    const firstAnswer = shadow(chat).querySelectorAll('[part~="assistant"]')[0];
    expect(firstAnswer?.querySelector('[part~="error"]')?.textContent).to.equal(error.message);
    expect(firstAnswer?.querySelector('[part~="retry-button"]')).to.not.equal(null);
    // Only the newest failure is an alert; the kept one is not announced again.
    expect(firstAnswer?.querySelector('[role="alert"]')).to.equal(null);

    // The provider gets alternating turns: the unanswered question is left out.
    expect(roles(requests[1])).to.deep.equal(['user']);
    expect(requests[1]?.messages[0]?.content).to.not.include('Doomed');

    // Retry on the kept turn asks its question again, as the newest turn.
    const again = nextEvent(chat, 'ai-stream-error');
    (firstAnswer?.querySelector('[part~="retry-button"]') as HTMLButtonElement).click();
    await again;
    expect(requests[2]?.messages.at(-1)?.content).to.equal(question);
    expect(roles(requests[2])).to.deep.equal(['user', 'assistant', 'user']);
  });

  it('a cancelled turn with no text is kept too, and left out of the next request', async () => {
    const requests: StreamRequest[] = [];
    const chat = await mountChat();
    chat.client = recordingClient(requests);
    void chat.send(`Never mind ${nonce()} [[pace:5000,50]]`);
    await chat.updateComplete;
    chat.cancel();
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Instead ${nonce()} [[length:5]]`);
    await done;
    await chat.updateComplete;
    expect(shadow(chat).querySelectorAll('[part~="assistant"]')).to.have.length(2);
    expect(roles(requests[1])).to.deep.equal(['user']);
    expect(chat.messages.map((message) => message.role)).to.deep.equal(['user', 'user', 'assistant']);
  });
});
