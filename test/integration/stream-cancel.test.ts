import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketTransport } from '../../api/_lib/upstream/transports/socket-transport.js';
import type { UpstreamTransport } from '../../api/_lib/upstream/transports/upstream-transport.js';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

describe.each(MOUNTS)('cancellation (%s mount)', (mount) => {
  let api: TestApi;
  beforeAll(async () => {
    // A realistic pace, so streams are still running when they are cancelled.
    api = await startTestApi({}, { pace: { firstTokenMs: 20, tokensPerSecond: 100 }, mount });
  });
  afterAll(async () => {
    await api.close();
  });

  it('a client abort closes the upstream at once and leaves no registry entry', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: `abort me ${i} [[length:2000]]` }] }, { signal: controller.signal });
      const closed = api.upstream.stats.nextStreamClosed();
      let abortedAt = 0;
      await readEvents(response, ({ event }) => {
        if (event.type === 'token' && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort();
        }
      }).catch(() => {});
      const upstreamClosed = await closed;
      // Closed by us, not completed: the answer would run 20 s at this pace.
      expect(upstreamClosed.reason).toBe('client-aborted');
      delays.push(upstreamClosed.at - abortedAt);
      // Emptied once the cancel's usage is counted: the first stream waits for the
      // tokenizer to load, seconds on a loaded machine.
      await waitFor(() => api.handler.registry.size === 0, 15_000, 'registry to empty');
    }
    // Loose on purpose (a shared two-core machine): only a close that waited for
    // something (the idle timeout, the deadline, the answer's end) comes near it.
    expect(Math.max(...delays), `abort-to-upstream-close delays: ${delays.map((d) => d.toFixed(1)).join(', ')} ms`).toBeLessThan(1_000);
    await waitFor(() => api.logs.filter((l) => l.event === 'cancel' && l.reason === 'client disconnected').length === 5, 15_000, 'cancel logs');
    const cancelLog = api.logs.findLast((l) => l.event === 'cancel');
    expect(cancelLog).toMatchObject({ usageSource: 'estimate', completionTokens: expect.any(Number) });
  });

  it('DELETE ?id= stops the stream with done/cancelled and an estimated usage, and aborts the upstream', async () => {
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'cancel me by id [[length:2000]]' }] });
    const id = response.headers.get('x-stream-id') ?? '';
    const closed = api.upstream.stats.nextStreamClosed();
    let deleted: Promise<Response> | undefined;
    const events = await readEvents(response, ({ event }) => {
      if (event.type === 'token' && !deleted) deleted = fetch(`${api.endpoint}?id=${id}`, { method: 'DELETE' });
    });
    expect((await deleted)?.status).toBe(204);
    expect((await closed).reason).toBe('client-aborted');
    const last = events.at(-1)?.event;
    expect(last).toMatchObject({ type: 'done', finishReason: 'cancelled', usage: { source: 'estimate' } });
    if (last?.type === 'done') expect(last.usage.completionTokens).toBeGreaterThan(0);
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(api.handler.registry.size).toBe(0);
  });

  it('a client gone before its answer was set up gets no answer streamed, and no stream is left behind', async () => {
    // The handler called directly with a request whose signal has already fired: its
    // abort event will never come, so the answer must notice on its own.
    const gone = new AbortController();
    gone.abort();
    const logsBefore = api.logs.length;
    const response = await api.handler(
      new Request(api.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'nobody is listening [[length:2000]]' }] }),
        signal: gone.signal,
      }),
    );
    const text = await response.text();
    expect(text).toContain('"type":"start"');
    expect(text).not.toContain('"type":"token"');
    expect(text).not.toContain('"type":"done"');
    await waitFor(() => api.handler.registry.size === 0, 15_000, 'registry to empty');
    const cancel = api.logs.slice(logsBefore).find((l) => l.event === 'cancel');
    expect(cancel).toMatchObject({ reason: 'client disconnected' });
  });

  it('DELETE of an unknown or missing id is a clear 404 / 400', async () => {
    const unknown = await fetch(`${api.endpoint}?id=nope`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'No such stream is running.' } });
    const missing = await fetch(api.endpoint, { method: 'DELETE' });
    expect(missing.status).toBe(400);
  });
});

describe('cancelling while the upstream is being retried', () => {
  let api: TestApi;
  /** The body of every upstream call the handler made, seen as it makes it. */
  const calls: string[] = [];
  const recordingTransport: UpstreamTransport = (url, init, receiver) => {
    calls.push(String(init.body));
    return socketTransport(url, init, receiver);
  };
  beforeAll(async () => {
    // A backoff of 1.5 to 2 s: the cancel lands in the middle of the wait.
    api = await startTestApi({ AI_STREAM_MAX_RETRIES: '3', AI_STREAM_RETRY_BASE_MS: '2000' }, { deps: { transport: recordingTransport } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('DELETE ?id= during a backoff wait ends it at once: done/cancelled, no further attempt, no registry entry', async () => {
    const content = 'failing, then cancelled [[fault:500]]';
    const attemptsSeen = (): number => calls.filter((body) => body.includes('then cancelled')).length;
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content }] });
    const id = response.headers.get('x-stream-id') ?? '';
    let deleted: Promise<Response> | undefined;
    let backoffOver: Promise<void> | undefined;
    let backoffTimerFired = false;
    const events = await readEvents(response, ({ event }) => {
      if (event.type !== 'retry' || deleted) return;
      // Set after the server's backoff timer (it is set before the retry event is sent),
      // for the same whole number of ms: Node runs the timers of one duration in the
      // order they were set, so once this one fires, a backoff timer that survived the
      // cancel has fired too and called the transport.
      backoffOver = new Promise((resolve) => setTimeout(resolve, event.delayMs)).then(() => void (backoffTimerFired = true));
      deleted = fetch(`${api.endpoint}?id=${id}`, { method: 'DELETE' });
    });
    expect(backoffTimerFired, 'done came before the backoff wait was over').toBe(false);
    expect((await deleted)?.status).toBe(204);
    expect(events.map((e) => e.event.type).filter((t) => t !== 'metadata')).toEqual(['start', 'retry', 'done']);
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'cancelled' });
    expect(api.handler.registry.size).toBe(0);
    expect(attemptsSeen()).toBe(1);
    await backoffOver;
    expect(attemptsSeen()).toBe(1);
  });
});

describe('the heartbeat', () => {
  let api: TestApi;
  beforeAll(async () => {
    // The shortest heartbeat the config allows, against an upstream that stalls.
    api = await startTestApi({ AI_STREAM_HEARTBEAT_MS: '1000' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('sends a keep-alive comment about every heartbeat while the upstream is quiet', async () => {
    const controller = new AbortController();
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'then silence [[fault:stall]]' }] }, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const keepAlives: number[] = [];
    let text = '';
    let textBeforeFirst = '';
    // Until the second keep-alive arrives, however long the machine makes that.
    while (keepAlives.length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = decoder.decode(value, { stream: true });
      text += chunk;
      for (const _ of chunk.matchAll(/: keep-alive\n\n/g)) keepAlives.push(performance.now());
      if (keepAlives.length === 0) textBeforeFirst = text;
    }
    controller.abort();
    expect(keepAlives).toHaveLength(2);
    // The answer's text came first; after it only comments (the upstream stalls).
    expect(textBeforeFirst).toContain('"type":"token"');
    expect(text.slice(textBeforeFirst.length).replaceAll(': keep-alive\n\n', '')).toBe('');
    // A heartbeat (1 s) apart on the server; half of it here, for delivery jitter on a
    // loaded machine. A keep-alive on every clock tick would come 100 ms apart.
    expect(keepAlives[1]! - keepAlives[0]!).toBeGreaterThan(500);
    await waitFor(() => api.handler.registry.size === 0, 15_000, 'registry to empty');
  });
});

describe('the stream deadline', () => {
  let api: TestApi;
  beforeAll(async () => {
    // A 300 ms deadline against a 2,000-token answer at 100 tokens/s.
    api = await startTestApi({}, { pace: { firstTokenMs: 20, tokensPerSecond: 100 }, deps: { maxStreamMs: 300 } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('stops an answer that runs past it: an error event, the upstream closed, no registry entry', async () => {
    const closed = api.upstream.stats.nextStreamClosed();
    const startedAt = performance.now();
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'a long one [[length:2000]]' }] }));
    const elapsed = performance.now() - startedAt;
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_timeout', message: 'The answer took too long and was stopped.', retryable: true });
    expect(elapsed).toBeLessThan(5_000);
    expect((await closed).reason).toBe('client-aborted');
    await waitFor(() => api.handler.registry.size === 0, 15_000, 'registry to empty');
  });
});
