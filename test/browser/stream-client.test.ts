import { expect } from 'chai';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { StreamClient, type StreamClientOptions } from '../../widget/stream-client.js';
import { isStreamError, type StreamError } from '../../widget/stream-error.js';
import { nonce, upstreamClose, waitFor } from './support/chat-fixture.js';
import { describe, it } from './support/mocha.js';

// The real handler and local upstream sit behind the test server's /api proxy.
const endpoint = '/api/chat/stream';

function ask(content: string) {
  return { messages: [{ role: 'user' as const, content }] };
}

/** Runs a stream to its end: the events it yielded and the error it ended with, if any. */
async function drain(iterable: AsyncIterable<StreamEvent>): Promise<{ events: StreamEvent[]; error: StreamError | undefined }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
  } catch (error) {
    if (!isStreamError(error)) throw error;
    return { events, error };
  }
  return { events, error: undefined };
}

/** A fetch that answers the first `count` calls with `failure` and passes the rest to the network. */
function failingFirst(count: number, failure: () => Promise<Response>): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const wrapped: typeof fetch = (input, init) => {
    calls += 1;
    return calls <= count ? failure() : fetch(input, init);
  };
  return { fetch: wrapped, calls: () => calls };
}

/**
 * A clock the test moves by hand, for the client's retry waits: `delay` records each
 * wait in `log` and settles it when `advance` passes its end, or rejects it when its
 * signal aborts (as abortableDelay does).
 */
function manualClock(log: string[]) {
  let now = 0;
  const waits: Array<{ until: number; resolve: () => void }> = [];
  return {
    delay(ms: number, signal: AbortSignal): Promise<void> {
      log.push(`wait ${ms}`);
      return new Promise<void>((resolve, reject) => {
        const wait = { until: now + ms, resolve };
        waits.push(wait);
        signal.addEventListener('abort', () => {
          waits.splice(waits.indexOf(wait), 1);
          reject(signal.reason);
        });
      });
    },
    /** Moves the clock on, settling the waits that end by then. */
    advance(ms: number): void {
      now += ms;
      for (const wait of waits.filter((w) => w.until <= now)) {
        waits.splice(waits.indexOf(wait), 1);
        wait.resolve();
      }
    },
    pending: (): number => waits.length,
  };
}

/** Like failingFirst, and also notes each call in `log`. */
function loggedFailingFirst(count: number, failure: () => Promise<Response>, log: string[]): { fetch: typeof fetch; calls: () => number } {
  const inner = failingFirst(count, failure);
  return {
    fetch: (input, init) => {
      log.push('fetch');
      return inner.fetch(input, init);
    },
    calls: inner.calls,
  };
}

describe('StreamClient against the real server', () => {
  it('yields start, tokens, metadata and done, and the tokens add up to the text', async () => {
    const stream = new StreamClient({ endpoint }).stream(ask(`Tell me about rivers ${nonce()} [[length:40]]`));
    const { events, error } = await drain(stream);
    expect(error).to.equal(undefined);
    expect(events[0]?.type).to.equal('start');
    expect(events.at(-1)?.type).to.equal('done');
    const tokens = events.filter((event) => event.type === 'token');
    expect(tokens.length).to.be.greaterThan(1);
    expect(tokens.map((event) => event.content).join('')).to.equal(stream.text);
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    expect(done.usage.completionTokens).to.equal(40);
    expect(stream.streamId).to.be.a('string').and.not.equal('');
  });

  it('cancel() ends the iteration with "cancelled" and the upstream sees the client go', async () => {
    const id = nonce();
    const stream = new StreamClient({ endpoint }).stream(ask(`A slow one ${id} [[length:400]] [[pace:0,40]]`));
    const seen: StreamEvent[] = [];
    const run = drain({
      async *[Symbol.asyncIterator]() {
        for await (const event of stream) {
          seen.push(event);
          if (event.type === 'token') stream.cancel();
          yield event;
        }
      },
    });
    const { error } = await run;
    expect(error?.code).to.equal('cancelled');
    expect(seen.filter((event) => event.type === 'token')).to.have.length(1);
    expect(stream.signal.aborted).to.equal(true);
    const closed = await upstreamClose({ nonce: id });
    expect(closed.reason).to.equal('client-aborted');
  });

  it('turns the server error event into a StreamError with its code and message, keeping the text', async () => {
    const stream = new StreamClient({ endpoint }).stream(ask(`Break ${nonce()} [[fault:error-mid]] [[length:60]]`));
    const { events, error } = await drain(stream);
    expect(events.some((event) => event.type === 'token')).to.equal(true);
    expect(error).to.not.equal(undefined);
    expect(error?.code).to.be.a('string').and.not.equal('cancelled');
    expect(error?.message).to.be.a('string').and.not.equal('');
    expect(stream.text.length).to.be.greaterThan(0);
  });

  it('does not retry a 400: one request, and the server message comes through', async () => {
    const counter = failingFirst(0, () => Promise.reject(new Error('unused')));
    const stream = new StreamClient({ endpoint, fetch: counter.fetch }).stream({ messages: [] });
    const { events, error } = await drain(stream);
    expect(events).to.have.length(0);
    expect(error?.status).to.equal(400);
    expect(error?.code).to.equal('bad_request');
    expect(error?.retryable).to.equal(false);
    expect(counter.calls()).to.equal(1);
  });

  it('retries a network failure before the stream starts, after a backoff delay', async () => {
    const log: string[] = [];
    const clock = manualClock(log);
    const flaky = loggedFailingFirst(2, () => Promise.reject(new TypeError('Failed to fetch')), log);
    const client = new StreamClient({ endpoint, fetch: flaky.fetch, delay: clock.delay, retry: { baseDelayMs: 100, jitter: 0 } });
    const run = drain(client.stream(ask(`Retry me ${nonce()} [[length:5]]`)));
    await waitFor(() => clock.pending() === 1, 'the first backoff wait');
    // Not a millisecond early: the next attempt only once the whole wait is over.
    clock.advance(99);
    expect(clock.pending()).to.equal(1);
    clock.advance(1);
    await waitFor(() => clock.pending() === 1 && log.length === 4, 'the second backoff wait');
    clock.advance(199);
    expect(clock.pending()).to.equal(1);
    clock.advance(1);
    const { events, error } = await run;
    expect(error).to.equal(undefined);
    expect(log).to.deep.equal(['fetch', 'wait 100', 'fetch', 'wait 200', 'fetch']);
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries.map((event) => event.type === 'retry' && event.delayMs)).to.deep.equal([100, 200]);
    expect(events.at(-1)?.type).to.equal('done');
    expect(flaky.calls()).to.equal(3);
  });

  it("waits for a 429's Retry-After before trying again", async () => {
    const log: string[] = [];
    const clock = manualClock(log);
    const limited = loggedFailingFirst(
      1,
      async () => Response.json({ error: { code: 'rate_limited', message: 'Slow down.' } }, { status: 429, headers: { 'Retry-After': '0.4' } }),
      log,
    );
    const client = new StreamClient({ endpoint, fetch: limited.fetch, delay: clock.delay });
    const run = drain(client.stream(ask(`Limited ${nonce()} [[length:5]]`)));
    await waitFor(() => clock.pending() === 1, 'the Retry-After wait');
    clock.advance(399);
    expect(clock.pending()).to.equal(1);
    clock.advance(1);
    const { events, error } = await run;
    expect(error).to.equal(undefined);
    expect(log).to.deep.equal(['fetch', 'wait 400', 'fetch']);
    const retry = events.find((event) => event.type === 'retry');
    expect(retry?.type === 'retry' && retry.delayMs).to.equal(400);
  });

  it('gives up at once when Retry-After is longer than the cap, telling how long to wait', async () => {
    const log: string[] = [];
    const limited = loggedFailingFirst(
      1,
      async () => Response.json({ error: { code: 'rate_limited', message: 'Slow down.' } }, { status: 429, headers: { 'Retry-After': '120' } }),
      log,
    );
    const { error } = await drain(new StreamClient({ endpoint, fetch: limited.fetch, delay: manualClock(log).delay }).stream(ask('x')));
    expect(error?.code).to.equal('rate_limited');
    expect(error?.message).to.equal('Slow down.');
    expect(error?.retryAfterMs).to.equal(120_000);
    // At once: no wait at all, and no second request.
    expect(log).to.deep.equal(['fetch']);
  });

  it('does not retry a rate_limited 429 that says no Retry-After: asking again at once would be refused', async () => {
    const log: string[] = [];
    const limited = loggedFailingFirst(
      1,
      async () => Response.json({ error: { code: 'rate_limited', message: 'Too many requests: at most 2 per 1 min. Try again in 9 s.', limit: 'requests' } }, { status: 429 }),
      log,
    );
    const { error } = await drain(new StreamClient({ endpoint, fetch: limited.fetch, delay: manualClock(log).delay }).stream(ask('x')));
    expect(error?.code).to.equal('rate_limited');
    expect(error?.message).to.equal('Too many requests: at most 2 per 1 min. Try again in 9 s.');
    expect(log).to.deep.equal(['fetch']);
  });

  it('a cancel during the backoff wait ends the stream at once', async () => {
    // The real timer-based wait here: what is tested is that the cancel ends it.
    const down = failingFirst(10, () => Promise.reject(new TypeError('Failed to fetch')));
    const stream = new StreamClient({ endpoint, fetch: down.fetch, retry: { baseDelayMs: 5000, jitter: 0 } }).stream(ask('x'));
    let cancelledAt = 0;
    const { error } = await drain({
      async *[Symbol.asyncIterator]() {
        for await (const event of stream) {
          // A macrotask later, when the client has started its 5 s wait (microtasks).
          if (event.type === 'retry') {
            setTimeout(() => {
              cancelledAt = performance.now();
              stream.cancel();
            }, 0);
          }
          yield event;
        }
      },
    });
    expect(error?.code).to.equal('cancelled');
    expect(cancelledAt).to.be.greaterThan(0);
    // Loose (a shared machine): half the wait the cancel cut short.
    expect(performance.now() - cancelledAt).to.be.below(2_500);
    expect(down.calls()).to.equal(1);
  });

  it('after a dropped connection keeps the text and reports a retryable error when the server cannot resume', async () => {
    const options: StreamClientOptions = { endpoint, headers: { 'x-test-drop-after-bytes': '600' }, retry: { baseDelayMs: 50 } };
    const stream = new StreamClient(options).stream(ask(`Drop me ${nonce()} [[length:300]] [[pace:0,400]]`));
    const { events, error } = await drain(stream);
    expect(error?.code).to.equal('stream_interrupted');
    expect(error?.retryable).to.equal(true);
    expect(stream.text.length).to.be.greaterThan(0);
    const text = events.flatMap((event) => (event.type === 'token' ? [event.content] : [])).join('');
    expect(text).to.equal(stream.text);
    // It tried to resume (GET ?id= with Last-Event-ID) before giving up.
    expect(events.some((event) => event.type === 'retry' && /resum/i.test(event.reason))).to.equal(true);
  });

  it('resumes a dropped stream from Last-Event-ID and drops events the server replays twice', async () => {
    // The server answers resume with 405 for now (docs/protocol.md), so the GET is
    // answered here: it replays the last two events already received (a resume that
    // overlaps) and finishes. The first response is the real stream, cut by the proxy.
    const received: Array<{ id: string; data: string }> = [];
    let resumeRequest: Request | undefined;
    const recordingFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === 'GET') {
        resumeRequest = request;
        const [streamId, seq] = splitId(received.at(-1)?.id ?? '');
        const replay = received.slice(-2).map((event) => `id: ${event.id}\ndata: ${event.data}\n\n`);
        const usage = { promptTokens: 1, completionTokens: 2, totalTokens: 3, source: 'estimate' };
        const done = `id: ${streamId}:${seq + 1}\ndata: ${JSON.stringify({ type: 'done', finishReason: 'stop', usage })}\n\n`;
        return new Response([...replay, done].join(''), { headers: { 'Content-Type': 'text/event-stream' } });
      }
      const response = await fetch(request);
      const [mine, theirs] = response.body?.tee() ?? [];
      void record(mine, received);
      return new Response(theirs ?? null, response);
    };
    const client = new StreamClient({ endpoint, fetch: recordingFetch, headers: { 'x-test-drop-after-bytes': '700' } });
    const stream = client.stream(ask(`Resume me ${nonce()} [[length:300]] [[pace:0,400]]`));
    const { events, error } = await drain(stream);
    expect(error).to.equal(undefined);
    expect(events.at(-1)?.type).to.equal('done');
    const lastId = received.at(-1)?.id;
    expect(resumeRequest?.headers.get('Last-Event-ID')).to.equal(lastId);
    expect(new URL(resumeRequest?.url ?? 'http://x').searchParams.get('id')).to.equal(stream.streamId);
    // Nothing repeated: the text is what the cut stream delivered, once.
    const delivered = received.map((event) => JSON.parse(event.data) as StreamEvent);
    const deliveredText = delivered.flatMap((event) => (event.type === 'token' ? [event.content] : [])).join('');
    expect(stream.text).to.equal(deliveredText);
  });
});

function splitId(id: string): [string, number] {
  const at = id.lastIndexOf(':');
  return [id.slice(0, at), Number(id.slice(at + 1))];
}

/** Reads an SSE body as far as it gets, collecting events with ids (a test-side tap). */
async function record(body: ReadableStream<Uint8Array<ArrayBuffer>> | undefined, into: Array<{ id: string; data: string }>): Promise<void> {
  if (!body) return;
  let buffer = '';
  try {
    for await (const text of body.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        const id = /^id: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (id !== undefined && data !== undefined) into.push({ id, data });
      }
    }
  } catch {
    // The proxy cut the connection: that is the point.
  }
}
