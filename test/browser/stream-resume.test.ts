import { expect } from 'chai';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { StreamClient, type ChatStream, type StreamClientOptions } from '../../widget/stream-client.js';
import { isStreamError, type StreamError } from '../../widget/stream-error.js';
import { nonce, upstreamClose, waitFor } from './support/chat-fixture.js';
import { manualClock } from './support/manual-clock.js';
import { afterEach, describe, it } from './support/mocha.js';
import { resumeDouble } from './support/resume-double.js';

// The client's side of resume. The real handler and local upstream serve every POST;
// `resumeDouble` stands in for the server's GET ?id= (see its file) and breaks the
// connections the way networks and phones do.
const endpoint = '/api/chat/stream';
// Long enough to be still streaming when the test acts, short enough to finish quickly.
const streaming = '[[length:200]] [[pace:0,400]]';

function ask(content: string) {
  return { messages: [{ role: 'user' as const, content }] };
}

async function drain(stream: AsyncIterable<StreamEvent>): Promise<{ events: StreamEvent[]; error: StreamError | undefined }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    if (!isStreamError(error)) throw error;
    return { events, error };
  }
  return { events, error: undefined };
}

function client(options: Partial<StreamClientOptions>): StreamClient {
  return new StreamClient({ endpoint, ...options });
}

/** Makes the page look hidden or visible to code that reads `document.visibilityState`, and says so. */
function setVisibility(state: DocumentVisibilityState): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Iterates `stream` in the background, cancelling it at the first token when asked to. */
function run(stream: ChatStream, cancelAtFirstToken = false): Promise<{ events: StreamEvent[]; error: StreamError | undefined }> {
  return drain({
    async *[Symbol.asyncIterator]() {
      for await (const event of stream) {
        if (cancelAtFirstToken && event.type === 'token') stream.cancel();
        yield event;
      }
    },
  });
}

/** Makes the browser look offline or online to `navigator.onLine`, and says so. */
function setOnline(online: boolean): void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
}

describe('StreamClient resume: drops, a page coming back, and following a stream by id', () => {
  afterEach(() => {
    // Back to the prototype's real getter.
    delete (document as { visibilityState?: unknown }).visibilityState;
    delete (navigator as { onLine?: unknown }).onLine;
  });

  it("Safari's \"TypeError: Load failed\" while reading counts as a drop: the stream resumes and ends whole", async () => {
    const double = resumeDouble({ cut: { afterEvents: 4, how: 'load-failed' } });
    const clock = manualClock();
    const stream = client({ fetch: double.fetch, delay: clock.delay }).stream(ask(`Load failed ${nonce()} ${streaming}`));
    const result = run(stream);
    await waitFor(() => clock.pending() === 1, 'the resume backoff wait');
    clock.advance(clock.asked[0] ?? 0);
    const { events, error } = await result;
    expect(error).to.equal(undefined);
    expect(events.at(-1)?.type).to.equal('done');
    expect(stream.text).to.equal(await double.fullText(stream.streamId ?? ''));
    const get = double.requests.find((request) => request.method === 'GET');
    expect(get?.id).to.equal(stream.streamId);
    expect(get?.lastEventId).to.match(/:\d+$/);
  });

  it('a page that becomes visible again resumes a dropped stream at once, without waiting out the backoff', async () => {
    const double = resumeDouble({ cut: { afterEvents: 4, how: 'drop' } });
    const clock = manualClock();
    const stream = client({ fetch: double.fetch, delay: clock.delay }).stream(ask(`Back from the background ${nonce()} ${streaming}`));
    const result = run(stream);
    await waitFor(() => clock.pending() === 1, 'the resume backoff wait');
    setVisibility('hidden');
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(0);
    setVisibility('visible');
    // The clock never moves: only the page coming back can have ended the wait.
    const { error } = await result;
    expect(error).to.equal(undefined);
    expect(clock.pending()).to.equal(0);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(1);
    expect(stream.text).to.equal(await double.fullText(stream.streamId ?? ''));
  });

  it('coming back online resumes a dropped stream at once', async () => {
    const double = resumeDouble({ cut: { afterEvents: 4, how: 'drop' } });
    const clock = manualClock();
    const stream = client({ fetch: double.fetch, delay: clock.delay }).stream(ask(`Offline then online ${nonce()} ${streaming}`));
    const result = run(stream);
    await waitFor(() => clock.pending() === 1, 'the resume backoff wait');
    window.dispatchEvent(new Event('online'));
    const { error } = await result;
    expect(error).to.equal(undefined);
    expect(clock.asked).to.have.length(1);
    expect(stream.text).to.equal(await double.fullText(stream.streamId ?? ''));
  });

  it('going offline lets the connection of a logged stream go and waits for online (not the backoff), then resumes to the whole text', async () => {
    const double = resumeDouble();
    const clock = manualClock();
    const stream = client({ fetch: double.fetch, delay: clock.delay }).stream(ask(`Offline mid-answer ${nonce()} ${streaming}`));
    const events: StreamEvent[] = [];
    const result = drain({
      async *[Symbol.asyncIterator]() {
        for await (const event of stream) {
          events.push(event);
          yield event;
        }
      },
    });
    await waitFor(() => stream.text.length > 0, 'the first text');
    setOnline(false);
    await waitFor(() => clock.pending() === 1, 'the wait for online');
    const retry = events.find((event) => event.type === 'retry');
    expect(retry?.type === 'retry' && retry.delayMs, 'up to the server grace, not the 1 s backoff').to.equal(15_000);
    setOnline(true);
    const { error } = await result;
    expect(error).to.equal(undefined);
    expect(clock.pending()).to.equal(0);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(1);
    expect(stream.text).to.equal(await double.fullText(stream.streamId ?? ''));
  });

  it('a connection that heard nothing while the page was hidden is replaced when it comes back (a suspended phone tab)', async () => {
    const double = resumeDouble({ cut: { afterEvents: 4, how: 'stall' } });
    const clock = manualClock();
    const stream = client({ fetch: double.fetch, delay: clock.delay }).stream(ask(`Stalled in the background ${nonce()} ${streaming}`));
    const result = run(stream);
    await double.delivered(4);
    // All four read by the client (ids count from 0): from here the connection is silent.
    await waitFor(() => stream.streamId !== undefined && stream.lastEventId === `${stream.streamId}:3`, 'the four events read');
    setVisibility('hidden');
    setVisibility('visible');
    const { error } = await result;
    expect(error).to.equal(undefined);
    // No backoff wait ran out: the stalled connection was replaced at once.
    expect(clock.pending()).to.equal(0);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(1);
    expect(stream.text).to.equal(await double.fullText(stream.streamId ?? ''));
  });

  it('a connection that kept talking while the page was hidden is left alone when it comes back', async () => {
    const double = resumeDouble();
    const stream = client({ fetch: double.fetch }).stream(ask(`Healthy in the background ${nonce()} ${streaming}`));
    const result = run(stream);
    await waitFor(() => stream.text.length > 0, 'the first text');
    setVisibility('hidden');
    const before = stream.text.length;
    await waitFor(() => stream.text.length > before, 'more text while hidden');
    setVisibility('visible');
    const { error } = await result;
    expect(error).to.equal(undefined);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(0);
  });

  it('without resume on the server, a stalled connection is not cut when the page comes back (its text would be lost)', async () => {
    const double = resumeDouble({ resumable: false, cut: { afterEvents: 4, how: 'stall' } });
    const stream = client({ fetch: double.fetch }).stream(ask(`Not resumable ${nonce()} ${streaming}`));
    const result = run(stream);
    await waitFor(() => stream.streamId !== undefined && stream.lastEventId === `${stream.streamId}:3`, 'the four events read');
    setVisibility('hidden');
    setVisibility('visible');
    // A whole other answer, streamed to its end: a reconnect would have begun long before.
    expect((await run(client({}).stream(ask(`Meanwhile ${nonce()} [[length:20]]`)))).error).to.equal(undefined);
    stream.cancel();
    const { events, error } = await result;
    expect(error?.code).to.equal('cancelled');
    expect(events.some((event) => event.type === 'retry')).to.equal(false);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(0);
  });

  it('Cancel of a resumable stream aborts the fetch and sends DELETE ?id=, and the upstream closes', async () => {
    const double = resumeDouble();
    const id = nonce();
    const stream = client({ fetch: double.fetch }).stream(ask(`Cancel a logged stream ${id} ${streaming}`));
    const { error } = await run(stream, true);
    expect(error?.code).to.equal('cancelled');
    expect(stream.resumable).to.equal(true);
    const deletes = double.requests.filter((request) => request.method === 'DELETE');
    expect(deletes.map((request) => request.id)).to.deep.equal([stream.streamId]);
    expect((await upstreamClose({ nonce: id })).reason).to.equal('client-aborted');
  });

  it('Cancel of a stream the server does not log sends no DELETE (the abort is enough), unless cancelRequest asks for it', async () => {
    const plain = resumeDouble({ resumable: false });
    const first = client({ fetch: plain.fetch }).stream(ask(`Cancel a plain stream ${nonce()} ${streaming}`));
    expect((await run(first, true)).error?.code).to.equal('cancelled');
    expect(first.resumable).to.equal(false);
    expect(plain.requests.filter((request) => request.method === 'DELETE')).to.have.length(0);

    const asked = resumeDouble({ resumable: false });
    const second = client({ fetch: asked.fetch, cancelRequest: true }).stream(ask(`Cancel and tell ${nonce()} ${streaming}`));
    expect((await run(second, true)).error?.code).to.equal('cancelled');
    expect(asked.requests.filter((request) => request.method === 'DELETE').map((request) => request.id)).to.deep.equal([second.streamId]);
  });

  it('client.resume(id, lastEventId) follows a stream by id: only the events after that id, and the text adds up', async () => {
    const double = resumeDouble();
    const original = client({ fetch: double.fetch }).stream(ask(`Follow me by id ${nonce()} [[length:60]]`));
    const { events } = await run(original);
    const streamId = original.streamId ?? '';
    const ids = events.length;
    expect(ids).to.be.greaterThan(4);
    const full = await double.fullText(streamId);
    // Cut after the third event of the original: start + two more.
    const cutAt = `${streamId}:2`;
    const before = events.slice(0, 3).flatMap((event) => (event.type === 'token' ? [event.content] : [])).join('');
    const followed = client({ fetch: double.fetch }).resume(streamId, cutAt);
    expect(followed.streamId).to.equal(streamId);
    const rest = await run(followed);
    expect(rest.error).to.equal(undefined);
    expect(rest.events.some((event) => event.type === 'start')).to.equal(false);
    expect(before + followed.text).to.equal(full);
    expect(followed.resumable).to.equal(true);
    const get = double.requests.filter((request) => request.method === 'GET').at(-1);
    expect(get?.lastEventId).to.equal(cutAt);

    // Without a last event id: from the start, `start` included.
    const again = client({ fetch: double.fetch }).resume(streamId);
    const all = await run(again);
    expect(all.events[0]?.type).to.equal('start');
    expect(again.text).to.equal(full);
    expect(double.requests.filter((request) => request.method === 'GET').at(-1)?.lastEventId).to.equal(null);
  });

  it('client.resume of a stream the server does not have ends with stream_interrupted, after one request', async () => {
    // The real server: 405 without resume, 404 for an unknown id with it; both mean "cannot".
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    const streamId = crypto.randomUUID();
    const followed = client({ fetch: counting }).resume(streamId, `${streamId}:3`);
    const { events, error } = await run(followed);
    expect(error?.code).to.equal('stream_interrupted');
    expect(error?.retryable).to.equal(true);
    expect(events).to.have.length(0);
    expect(requests).to.equal(1);
  });

  it('client.resume from the last event of a finished stream: the server answers 204 and the iteration ends with no event and no error', async () => {
    // What the real server answers a GET whose Last-Event-ID is the answer's end
    // (test/integration/resume.test.ts); before, the client read 204 as a broken stream (protocol_error).
    const requests: string[] = [];
    const over: typeof fetch = async (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new Headers(init?.headers).get('Last-Event-ID')}`);
      return new Response(null, { status: 204 });
    };
    const streamId = crypto.randomUUID();
    const followed = client({ fetch: over }).resume(streamId, `${streamId}:7`);
    const { events, error } = await run(followed);
    expect(error).to.equal(undefined);
    expect(events).to.have.length(0);
    expect(followed.text).to.equal('');
    expect(requests).to.deep.equal([`GET ${streamId}:7`]);
  });

  it('Cancel of a followed stream sends DELETE ?id= too', async () => {
    const double = resumeDouble();
    const original = client({ fetch: double.fetch }).stream(ask(`Follow then cancel ${nonce()} [[length:30]]`));
    await run(original);
    const followed = client({ fetch: double.fetch }).resume(original.streamId ?? '', `${original.streamId}:1`);
    const { error } = await run(followed, true);
    expect(error?.code).to.equal('cancelled');
    expect(double.requests.filter((request) => request.method === 'DELETE').map((request) => request.id)).to.deep.equal([original.streamId]);
  });
});
