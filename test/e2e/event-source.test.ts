import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { useDemoSession } from './support/demo-session.js';
import { nonce } from './support/upstream-watch.js';

// A browser's own EventSource following an answer by id (docs/protocol.md, "Resume"),
// against the demo server with resume on: it gets the whole answer, and once the answer
// is over its reconnection is answered 204, which makes EventSource close for good
// instead of reconnecting every `retry` forever.

const demo = useDemoSession({ env: { AI_STREAM_RESUME: 'on', AI_STREAM_RESUME_GRACE_MS: '60000' } });

/** What the page saw: the stream's id, every message event, and `readyState` at each `error` event. */
interface Followed {
  streamId: string;
  events: { lastEventId: string; data: StreamEvent }[];
  errorStates: number[];
}

describe("a browser's own EventSource", () => {
  it('follows a stream by id to done, then its reconnection gets 204 and it closes (readyState CLOSED) instead of reconnecting', async () => {
    const page = await demo.open('/');
    // `allHeaders()`: Chromium's network stack adds Last-Event-ID, which `headers()` leaves out.
    const follows: Promise<{ status: number; lastEventId: string | undefined }>[] = [];
    page.page.on('response', (response) => {
      const request = response.request();
      if (request.method() === 'GET' && new URL(request.url()).searchParams.has('id')) {
        follows.push(request.allHeaders().then((headers) => ({ status: response.status(), lastEventId: headers['last-event-id'] })));
      }
    });
    const prompt = `Follow me by id ${nonce()} [[length:120]] [[pace:0,200]]`;
    // In the page: start the answer, drop its POST (the answer goes on into the log), and
    // follow it with EventSource until EventSource itself gives up.
    const followed = await page.page.evaluate(async (content): Promise<Followed> => {
      const response = await fetch('/api/chat/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content }] }),
      });
      const streamId = response.headers.get('x-stream-id') ?? '';
      await response.body?.cancel();
      return new Promise<Followed>((resolve) => {
        const source = new EventSource(`/api/chat/stream?id=${encodeURIComponent(streamId)}`);
        const result: Followed = { streamId, events: [], errorStates: [] };
        source.onmessage = (message) => result.events.push({ lastEventId: message.lastEventId, data: JSON.parse(message.data) as StreamEvent });
        source.onerror = () => {
          result.errorStates.push(source.readyState);
          if (source.readyState === EventSource.CLOSED) resolve(result);
        };
      });
    }, prompt);

    const { streamId, events, errorStates } = followed;
    expect(events[0]?.data).toMatchObject({ type: 'start', streamId, resumable: true });
    expect(events.at(-1)?.data).toMatchObject({ type: 'done', finishReason: 'stop' });
    // Every event once, in order: the ids run 0, 1, 2, …
    expect(events.map((e) => e.lastEventId)).toEqual(events.map((_, i) => `${streamId}:${i}`));
    expect(events.filter((e) => e.data.type === 'token').length).toBeGreaterThan(0);
    // The body closing after done is a reconnection (CONNECTING); its 204 closes EventSource.
    expect(errorStates).toEqual([0, 2]);
    expect(await Promise.all(follows)).toEqual([
      { status: 200, lastEventId: undefined },
      { status: 204, lastEventId: events.at(-1)?.lastEventId },
    ]);
    expect(page.report.errors).toEqual([]);
  }, 60_000);
});
