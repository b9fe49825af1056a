import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { waitFor } from '../support/read-events.js';

/** A request for a long answer from the handler itself. */
const longAnswer = (content: string, maxTokens: number): Request =>
  new Request('http://127.0.0.1/api/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'long', maxTokens, messages: [{ role: 'user', content }] }),
  });

describe.each(MOUNTS)('backpressure (%s mount)', (mount) => {
  let api: TestApi;
  beforeAll(async () => {
    // Every token its own event, and an upstream with no pacing: the largest pressure.
    api = await startTestApi({ AI_STREAM_COALESCE_MS: '0', AI_STREAM_MODELS: 'long=openai:gpt-4o-mini@1000000/250000' }, { mount });
  });
  afterAll(async () => {
    await api.close();
  });

  it('a reader that stalls makes the upstream wait; the server holds a bounded amount', async () => {
    // The handler itself, read through its Response body: no socket buffers in between
    // on our side, so what the server holds is exactly what its streams queue.
    const response = await api.handler(longAnswer('a very long answer [[length:200000]]', 200_000));
    const id = response.headers.get('x-stream-id') ?? '';
    const entry = api.handler.registry.get(id);
    expect(entry).toBeDefined();
    const reader = response.body!.getReader();
    let received = 0;
    for (let i = 0; i < 50; i++) received += (await reader.read()).value?.byteLength ?? 0;

    // Stall: read nothing while whole answers go through the same handler and the same
    // upstream. The first lets what was in flight land; during the second, a stream
    // that kept reading its upstream would take in at least some of its 2,000+ events.
    const readWhole = async (n: number): Promise<void> => {
      const text = await (await api.handler(longAnswer(`anchor ${n} [[length:20000]]`, 20_000))).text();
      expect(text).toContain('"type":"done"');
    };
    await readWhole(1);
    let maxBuffered = entry!.bufferedBytes();
    const charsThen = entry!.upstreamChars();
    await readWhole(2);
    maxBuffered = Math.max(maxBuffered, entry!.bufferedBytes());
    expect(maxBuffered).toBeLessThanOrEqual(20 * 1024);
    // The upstream read has stopped: not a byte taken from it meanwhile, and it is still open.
    expect(entry!.upstreamChars()).toBe(charsThen);
    expect(api.upstream.stats.openStreams).toBe(1);

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
