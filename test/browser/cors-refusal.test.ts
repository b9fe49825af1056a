// A CORS refusal is reported as what it is, at once, instead of seven seconds of retries
// ending in "Could not reach the server".
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { StreamClient } from '../../widget/stream-client.js';
import { isStreamError, type StreamError } from '../../widget/stream-error.js';
import { strings } from '../../widget/strings.js';
import { cleanup, mountChat, nextEvent, part } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

/** Streams one request and returns its events and the error it ended with. */
async function attempt(endpoint: string): Promise<{ events: StreamEvent[]; error: StreamError | undefined }> {
  // No waiting between retries: a retried failure shows in the events, not in the time taken.
  const client = new StreamClient({ endpoint, delay: () => Promise.resolve() });
  const events: StreamEvent[] = [];
  try {
    for await (const event of client.stream({ messages: [{ role: 'user', content: 'Hello [[length:3]]' }] })) events.push(event);
  } catch (error) {
    if (isStreamError(error)) return { events, error };
    throw error;
  }
  return { events, error: undefined };
}

describe('a cross-origin endpoint that refuses the page', () => {
  afterEach(cleanup);

  it('fails at once with origin_not_allowed, never retried', async () => {
    const origin = await executeServerCommand<string, undefined>('demo-origin');
    const { events, error } = await attempt(`${origin}/api/chat/stream`);
    expect(events.filter((event) => event.type === 'retry')).to.deep.equal([]);
    expect(error?.code).to.equal('origin_not_allowed');
    expect(error?.retryable).to.equal(false);
  });

  it('the element says so, with no Retrying…', async () => {
    const origin = await executeServerCommand<string, undefined>('demo-origin');
    const chat = await mountChat();
    chat.endpoint = `${origin}/api/chat/stream`;
    const failed = nextEvent(chat, 'ai-stream-error');
    await chat.send('Hello [[length:3]]');
    expect((await failed).error.code).to.equal('origin_not_allowed');
    await chat.updateComplete;
    expect(part(chat, 'error')?.textContent).to.equal(strings.originNotAllowed);
  });

  it('a server that does not answer at all is still a network error, retried', async () => {
    // Port 1 on the loopback: nothing listens, the connection is refused.
    const { events, error } = await attempt('http://127.0.0.1:1/api/chat/stream');
    expect(events.filter((event) => event.type === 'retry').length).to.be.greaterThan(0);
    expect(error?.code).to.equal('network_error');
  });
});
