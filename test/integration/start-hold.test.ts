import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { START_HOLD_MS } from '../../api/_lib/answer/producer/openings.js';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { waitFor } from '../support/read-events.js';

/**
 * In a burst (more answers waiting for their first event than `holdStartAbove`), a new
 * answer's `start` leaves with its first event: one write per stream instead of two
 * (issue 14). The Web handler is called directly so that each write is one chunk of the
 * body, which the test can see.
 */
describe('the start event in a burst', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const firstChunk = async (holdStartAbove: number | undefined, content: string): Promise<{ chunk: string; afterMs: number }> => {
    api = await startTestApi({}, { deps: holdStartAbove === undefined ? {} : { holdStartAbove } });
    const sentAt = performance.now();
    const response = await api.handler(
      new Request(api.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content }] }) }),
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    const afterMs = performance.now() - sentAt;
    await reader.cancel();
    return { chunk: value ?? '', afterMs };
  };

  it('leaves at once while few answers are opening', async () => {
    const { chunk } = await firstChunk(undefined, 'hello [[pace:150,0]] [[length:3]]');
    expect(chunk).toMatch(/^retry: 1000\n\nid: [^\n]+:0\ndata: \{"type":"start"/);
    expect(chunk).not.toContain('"type":"token"');
  });

  it('leaves with the first token, in the same write, past the line', async () => {
    const { chunk } = await firstChunk(0, 'hello [[pace:150,0]] [[length:3]]');
    expect(chunk).toMatch(/^retry: 1000\n\nid: ([^\n]+):0\ndata: \{"type":"start".*\n\nid: \1:1\ndata: \{"type":"token"/s);
  });

  it('leaves on its own once the burst is over', async () => {
    // A heartbeat of 1 s makes the stream clock tick every 100 ms.
    api = await startTestApi({ AI_STREAM_HEARTBEAT_MS: '1000' }, { deps: { holdStartAbove: 1 } });
    const post = (content: string): Promise<Response> =>
      api!.handler(new Request(api!.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content }] }) }));
    // The first answer opens (at the line, so its start leaves at once); the second, past it, holds its start.
    const first = await post('first [[pace:100,5]] [[length:50]]');
    const sentAt = performance.now();
    const second = await post('second [[pace:20000,0]] [[length:3]]');
    const reader = second.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The first answer's first token ends the burst: on the next tick the held start leaves alone.
    const { value } = await reader.read();
    const afterMs = performance.now() - sentAt;
    expect(value).toContain('"type":"start"');
    expect(value).not.toContain('"type":"token"');
    expect(afterMs, 'released by the burst ending, not by the hold running out').toBeLessThan(START_HOLD_MS - 500);
    await reader.cancel();
    await first.body!.cancel();
  });

  it('leaves on its own once the provider is slower than the hold', async () => {
    const { chunk, afterMs } = await firstChunk(0, 'hello [[pace:20000,0]] [[length:3]]');
    expect(chunk).toContain('"type":"start"');
    expect(chunk).not.toContain('"type":"token"');
    expect(afterMs).toBeGreaterThanOrEqual(START_HOLD_MS - 1);
  });

  // Nobody received the stream's id, so nobody can come back for it: the grace (15 s
  // here) would keep a provider generating, and billing, for no one.
  it.each(MOUNTS)('a client gone while its start is held ends the answer at once, resume on (%s mount)', async (mount) => {
    api = await startTestApi({ AI_STREAM_RESUME: 'on', AI_STREAM_RESUME_GRACE_MS: '15000' }, { mount, deps: { holdStartAbove: 0 } });
    const upstream = api.upstream;
    const controller = new AbortController();
    const arrived = once(upstream.stats, 'request');
    const closed = upstream.stats.nextStreamClosed();
    const response = fetch(api.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'leave early [[pace:20000,0]] [[length:3]]' }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    await arrived;
    controller.abort();
    await response;
    expect((await closed).reason).toBe('client-aborted');
    const handler = api.handler;
    await waitFor(() => handler.registry.size === 0, 5_000, 'registry to empty');
    await waitFor(() => api!.logs.some((l) => l.event === 'cancel'), 5_000, 'the cancel log');
    expect(api.logs.find((l) => l.event === 'cancel')).toMatchObject({ reason: 'client disconnected' });
  });
});
