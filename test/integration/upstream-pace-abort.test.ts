import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream, StreamClosed } from '../../demo/upstream/server.js';
import { DEFAULT_PACE } from '../../demo/upstream/pace.js';

// Timing is asserted here only as lower bounds that the pace's timers guarantee
// (a timer never fires early, however loaded the machine) or as loose upper bounds;
// "nothing more was sent" is checked only after an event that proves more would have been.

function body(content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }], ...extra });
}

function post(upstream: LocalUpstream, content: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${upstream.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    body: body(content),
    ...(signal ? { signal } : {}),
  });
}

/** The `stream-closed` record of one response, whether it came already or comes later. */
function streamClosed(upstream: LocalUpstream, requestId: string | null | undefined): Promise<StreamClosed> {
  const done = upstream.stats.closedStreams.find((s) => s.requestId === requestId);
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => {
    const listener = (closed: StreamClosed): void => {
      if (closed.requestId !== requestId) return;
      upstream.stats.off('stream-closed', listener);
      resolve(closed);
    };
    upstream.stats.on('stream-closed', listener);
  });
}

/** Posts an answer, reads it whole at once, and returns its `stream-closed` record. */
async function readWhole(upstream: LocalUpstream, content: string): Promise<StreamClosed> {
  const response = await post(upstream, content);
  await response.arrayBuffer();
  return streamClosed(upstream, response.headers.get('x-request-id'));
}

/** Arrival time of every content delta, read through the SSE text without a parser. */
async function deltaArrivals(response: Response): Promise<number[]> {
  const arrivals: number[] = [];
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return arrivals;
    const now = performance.now();
    for (const _match of decoder.decode(value, { stream: true }).matchAll(/"delta":\{"content":"[^"]/g)) arrivals.push(now);
  }
}

describe('pace', () => {
  let upstream: LocalUpstream;
  beforeAll(async () => {
    upstream = await startUpstream({ pace: { ...DEFAULT_PACE } });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('waits 300 ms for the first token, then spreads tokens at 50 per second', async () => {
    const sentAt = performance.now();
    const arrivals = await deltaArrivals(await post(upstream, 'Paced [[length:25]]'));
    expect(arrivals).toHaveLength(25);
    // The first-token sleep, less a millisecond of timer rounding.
    expect((arrivals[0] ?? 0) - sentAt).toBeGreaterThanOrEqual(299);
    // Delta i is due 300 + 20 i ms after the request; the schedule is absolute, so a
    // late timer makes later deltas catch up but never lets the last one come early.
    expect((arrivals.at(-1) ?? 0) - sentAt).toBeGreaterThanOrEqual(300 + 24 * 20 - 2);
    // Loose: unpaced, the whole answer would take well under a millisecond to write.
    expect((arrivals.at(-1) ?? 0) - sentAt).toBeLessThan(10_000);
  });

  it('a [[pace:0,0]] marker overrides a slow server pace for one request', async () => {
    const slow = await startUpstream({ pace: { firstTokenMs: 10_000, tokensPerSecond: 1 } });
    try {
      const sentAt = performance.now();
      const arrivals = await deltaArrivals(await post(slow, 'Now [[pace:0,0]] [[length:200]]'));
      expect(arrivals).toHaveLength(200);
      expect(performance.now() - sentAt).toBeLessThan(5_000);
    } finally {
      await slow.close();
    }
  });
});

describe('aborts and backpressure', () => {
  let upstream: LocalUpstream;
  beforeAll(async () => {
    upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('sees a client abort mid-stream promptly, as "client-aborted"', async () => {
    const controller = new AbortController();
    const closed = upstream.stats.nextStreamClosed();
    const response = await post(upstream, 'Abort me [[pace:0,100]] [[length:2000]]', controller.signal);
    const reader = response.body?.getReader();
    await reader?.read();
    expect(upstream.stats.openStreams).toBe(1);
    const abortedAt = performance.now();
    controller.abort();
    const event: StreamClosed = await closed;
    expect(event.reason).toBe('client-aborted');
    expect(event.at - abortedAt).toBeLessThan(1_000);
    expect(upstream.stats.openStreams).toBe(0);
  });

  it('a stall keeps the connection open with no more data until the client leaves', async () => {
    const controller = new AbortController();
    const bytesBefore = upstream.stats.bytesSent;
    const response = await post(upstream, 'Stall [[fault:stall]]', controller.signal);
    const closed = streamClosed(upstream, response.headers.get('x-request-id'));
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let received = '';
    let receivedBytes = 0;
    while ((received.match(/"content":"[^"]/g) ?? []).length < 5 || !received.endsWith('\n\n')) {
      const { value } = (await reader?.read()) ?? {};
      receivedBytes += value?.byteLength ?? 0;
      received += decoder.decode(value, { stream: true });
    }
    const bytesThen = upstream.stats.bytesSent;
    // A whole answer on another connection, long enough that the stalled one (started
    // first, at the same pace) would have sent its rest by the time this one is done.
    // (The default answer is 300 tokens.)
    const anchor = await readWhole(upstream, 'Anchor [[length:400]]');
    expect(anchor.reason).toBe('completed');
    expect(upstream.stats.bytesSent).toBe(bytesThen + anchor.bytesSent);
    expect(upstream.stats.openStreams).toBe(1);
    // Five deltas, and everything the stalled stream sent has been read.
    expect(received.match(/"content":"[^"]/g)).toHaveLength(5);
    expect(bytesThen - bytesBefore).toBe(receivedBytes);
    controller.abort();
    expect(await closed).toMatchObject({ reason: 'client-aborted', fault: 'stall' });
  });

  it('waits for a slow reader instead of buffering the whole answer (backpressure)', async () => {
    let received = 0;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${upstream.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(body('Big [[length:60000]]', { stream_options: { include_obfuscation: false } }));
    });
    response.pause();
    const closed = streamClosed(upstream, String(response.headers['x-request-id']));
    const start = upstream.stats.bytesSent;
    // The same answer on another connection, read at once: without backpressure the
    // paused one (asked first, and written as fast) would be complete by its end.
    const anchor = await readWhole(upstream, 'Big [[length:60000]]');
    expect(anchor.reason).toBe('completed');
    const whilePaused = upstream.stats.bytesSent - start - anchor.bytesSent;
    expect(upstream.stats.openStreams).toBe(1);
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    const event = await closed;
    expect(event.reason).toBe('completed');
    expect(event.bytesSent).toBe(received);
    expect(anchor.bytesSent).toBeGreaterThanOrEqual(received * 0.9);
    expect(whilePaused).toBeLessThan(received / 2);
    // Two answers of 17 MB each: about 20 s when the whole suite shares two cores.
  }, 60_000);

  it('close() ends streams in progress ("server-closed") and resolves', async () => {
    const own = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
    const closed = own.stats.nextStreamClosed();
    const response = await post(own, 'Stall [[fault:stall]]');
    await response.body?.getReader().read();
    await own.close();
    expect(await closed).toMatchObject({ reason: 'server-closed' });
    expect(own.stats.openStreams).toBe(0);
  });
});
