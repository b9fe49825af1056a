import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { waitFor } from '../support/read-events.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('backpressure', () => {
  let api: TestApi;
  beforeAll(async () => {
    // Every token its own event, and an upstream with no pacing: the largest pressure.
    api = await startTestApi({ AI_STREAM_COALESCE_MS: '0', AI_STREAM_MODELS: 'long=openai:gpt-4o-mini@1000000/250000' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('a reader that stalls makes the upstream wait; the server holds a bounded amount', async () => {
    // The handler itself, read through its Response body: no socket buffers in between
    // on our side, so what the server holds is exactly what its streams queue.
    const response = await api.handler(
      new Request('http://127.0.0.1/api/chat/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'long', maxTokens: 200_000, messages: [{ role: 'user', content: 'a very long answer [[length:200000]]' }] }),
      }),
    );
    const id = response.headers.get('x-stream-id') ?? '';
    const entry = api.handler.registry.get(id);
    expect(entry).toBeDefined();
    const reader = response.body!.getReader();
    let received = 0;
    for (let i = 0; i < 50; i++) received += (await reader.read()).value?.byteLength ?? 0;

    // Stall: read nothing for a while and watch what the server does meanwhile.
    let maxBuffered = 0;
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      await sleep(25);
      maxBuffered = Math.max(maxBuffered, entry!.bufferedBytes());
      samples.push(entry!.upstreamChars());
    }
    expect(maxBuffered).toBeLessThanOrEqual(20 * 1024);
    // The upstream read has stopped: no byte taken from it during the second half of the stall.
    expect(samples.at(-1)).toBe(samples[20]);
    expect(api.upstream.stats.closedStreams.some((s) => s.reason === 'completed')).toBe(false);

    // Resume: everything arrives, and the answer completes.
    const decoder = new TextDecoder();
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      maxBuffered = Math.max(maxBuffered, entry!.bufferedBytes());
      tail = (tail + decoder.decode(value, { stream: true })).slice(-2_000);
    }
    expect(tail).toContain('"type":"done"');
    expect(received).toBeGreaterThan(5_000_000);
    expect(maxBuffered).toBeLessThanOrEqual(20 * 1024);
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'empty registry');
  }, 60_000);
});
