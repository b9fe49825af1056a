import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { askHostile } from '../support/hostile-upstream.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

// Whatever ends an answer closes the upstream connection at once: a provider that goes
// on talking after its own error, after garbage or after [DONE] is cut off, not read
// for minutes (each chunk read is a chunk billed).

describe('a misbehaving upstream is cut off at once', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_MAX_RETRIES: '0' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('an error event mid-stream closes the upstream, which goes on streaming otherwise', async () => {
    const { events, closed } = await askHostile(api, 'error-mid-continue');
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error' });
    expect(closed.reason).toBe('client-aborted');
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
  });

  it('a malformed chunk mid-stream closes the upstream, which goes on streaming otherwise', async () => {
    const { events, closed } = await askHostile(api, 'garbage-continue');
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error', message: 'The model provider sent a malformed stream.' });
    expect(closed.reason).toBe('client-aborted');
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
  });

  it('[DONE] ends the upstream call even when the upstream holds the connection open', async () => {
    const { events, closed } = await askHostile(api, 'done-hold');
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(closed.reason).toBe('client-aborted');
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
  });

  it('an upstream that ends its body after [DONE] is not cut: it completes', async () => {
    const closed = api.upstream.stats.nextStreamClosed();
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'a normal answer [[length:30]]' }] }));
    expect(events.at(-1)?.event).toMatchObject({ type: 'done' });
    expect((await closed).reason).toBe('completed');
  });

  it('consecutive answers whose body ends after [DONE] reuse one upstream connection', async () => {
    // [DONE] and the end of the body in separate writes: the call is released at [DONE]
    // and must still hand its socket back to the pool rather than close it.
    let connections = 0;
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
        res.end('data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
      });
    });
    upstream.on('connection', () => connections++);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const kept = await startTestApi({ OPENAI_BASE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1` });
    try {
      for (let i = 0; i < 5; i++) {
        const events = await readEvents(await postChat(kept.endpoint, { messages: [{ role: 'user', content: 'hi' }] }));
        expect(events.at(-1)?.event).toMatchObject({ type: 'done' });
      }
      expect(connections).toBe(1);
    } finally {
      await kept.close();
      upstream.closeAllConnections();
      upstream.close();
    }
  });
});
