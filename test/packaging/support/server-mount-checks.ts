import { afterAll, beforeAll, expect, it } from 'vitest';
import { localProviderEnv } from '../../../demo/upstream/provider-env.js';
import { startUpstream, type LocalUpstream } from '../../../demo/upstream/server.js';
import { postChat, readEvents, textOf } from '../../support/read-events.js';
import type { AppProcess } from './app-process.js';

/** Starts a built fixture with this environment (the local upstream's providers). */
export type StartMount = (env: Record<string, string>) => Promise<AppProcess>;

/**
 * The four things every server mount must do, over HTTP against the mounted app in
 * its own process, with the local upstream in this one: an answer streams, a client
 * disconnect closes the upstream, `DELETE ?id=` cancels, and an error before the
 * stream is a JSON 4xx. Call inside a `describe`, after the fixture is built.
 */
export function serverMountChecks(start: StartMount, path = '/api/chat/stream'): { origin: () => string } {
  let upstream: LocalUpstream;
  let app: AppProcess;
  let endpoint: string;
  const prompt = (content: string): { messages: Array<{ role: 'user'; content: string }> } => ({ messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
    app = await start({ ...localProviderEnv(upstream, 'sk-fixture-key-never-logged'), AI_STREAM_RETRY_BASE_MS: '50' });
    endpoint = `${app.origin}${path}`;
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await upstream?.close();
  });

  it('streams an answer from the upstream as SSE', async () => {
    const response = await postChat(endpoint, prompt('Tell me about rivers [[length:40]]'));
    expect(response.status, app.output()).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events[0]?.event.type).toBe('start');
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(events.filter(({ event }) => event.type === 'token').length).toBeGreaterThan(1);
    expect(textOf(events).length).toBeGreaterThan(40);
  });

  it('a client that disconnects closes the upstream request', async () => {
    const controller = new AbortController();
    const closed = upstream.stats.nextStreamClosed();
    const response = await postChat(endpoint, prompt('Leave early [[length:2000]] [[pace:0,40]]'), { signal: controller.signal });
    expect(response.status, app.output()).toBe(200);
    await readEvents(response, ({ event }) => {
      if (event.type === 'token') controller.abort();
    }).catch(() => {});
    // At 40 tokens/s the answer would run 50 s: only the disconnect ends it now.
    expect((await closed).reason).toBe('client-aborted');
  });

  it('DELETE ?id= cancels a running stream', async () => {
    const response = await postChat(endpoint, prompt('Cancel me [[length:2000]] [[pace:0,40]]'));
    const id = response.headers.get('x-stream-id');
    expect(id, 'x-stream-id header').toMatch(/^[\da-f-]{36}$/);
    const closed = upstream.stats.nextStreamClosed();
    let deleted: Promise<Response> | undefined;
    const events = await readEvents(response, ({ event }) => {
      if (event.type === 'token' && !deleted) deleted = fetch(`${endpoint}?id=${id}`, { method: 'DELETE' });
    });
    expect((await deleted)?.status).toBe(204);
    expect((await closed).reason).toBe('client-aborted');
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'cancelled' });
  });

  it('an error before the stream is a JSON 4xx', async () => {
    const response = await postChat(endpoint, { messages: 'not a list' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
    const unknownModel = await postChat(endpoint, { ...prompt('hi'), model: 'no-such-model' });
    expect(unknownModel.status).toBe(400);
    expect(await unknownModel.json()).toMatchObject({ error: { code: 'unknown_model', message: expect.stringContaining('no-such-model') } });
  });

  return { origin: () => app.origin };
}
