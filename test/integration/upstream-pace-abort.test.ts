import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream, StreamClosed } from '../../demo/upstream/server.js';
import { DEFAULT_PACE } from '../../demo/upstream/pace.js';

// Timing here is asserted only with loose bounds: two noisy cores must not fail it.

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

  it('waits about 300 ms for the first token, then spreads tokens at about 50 per second', async () => {
    const sentAt = performance.now();
    const arrivals = await deltaArrivals(await post(upstream, 'Paced [[length:25]]'));
    expect(arrivals).toHaveLength(25);
    expect((arrivals[0] ?? 0) - sentAt).toBeGreaterThanOrEqual(250);
    // 24 gaps of 20 ms = 480 ms; allow for timers firing early and batching.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(300);
    expect(new Set(arrivals).size).toBeGreaterThanOrEqual(10);
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
    const closed = upstream.stats.nextStreamClosed();
    const response = await post(upstream, 'Stall [[fault:stall]]', controller.signal);
    const reader = response.body?.getReader();
    let received = '';
    while ((received.match(/"content":"[^"]/g) ?? []).length < 5) {
      const { value } = (await reader?.read()) ?? {};
      received += new TextDecoder().decode(value);
    }
    const bytesThen = upstream.stats.bytesSent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstream.stats.bytesSent).toBe(bytesThen);
    expect(upstream.stats.openStreams).toBe(1);
    controller.abort();
    expect(await closed).toMatchObject({ reason: 'client-aborted', fault: 'stall' });
  });

  it('waits for a slow reader instead of buffering the whole answer (backpressure)', async () => {
    const closed = upstream.stats.nextStreamClosed();
    let received = 0;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${upstream.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(body('Big [[length:100000]]', { stream_options: { include_obfuscation: false } }));
    });
    response.pause();
    const start = upstream.stats.bytesSent;
    const sample = (): number => upstream.stats.bytesSent - start;
    // The upstream's byte count only stops growing once the socket buffers are full.
    let previous = -1;
    for (let i = 0; i < 100 && sample() !== previous; i += 1) {
      previous = sample();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const whilePaused = sample();
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    const event = await closed;
    expect(event.reason).toBe('completed');
    expect(event.bytesSent).toBe(received);
    expect(whilePaused).toBeLessThan(received / 2);
  });

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
