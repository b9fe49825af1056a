import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../demo/server.js';
import { rawConnection, rawRequest } from '../support/raw-request.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

const chat = (content: string): string => JSON.stringify({ messages: [{ role: 'user', content }] });
const portOf = (url: string): string => new URL(url).port;

describe('the demo server (npm start) under hostile requests', () => {
  let server: DemoServer;
  beforeAll(async () => {
    server = await startDemoServer({ port: 0, embedPort: 0, upstreamPace: { firstTokenMs: 0, tokensPerSecond: 0 }, env: { AI_STREAM_RETRY_BASE_MS: '50' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 400 to a path that is not valid percent-encoding or not a URL, and a stream in flight continues', async () => {
    // 4096 tokens at 100 per second, far longer than the test: in flight until it is cancelled.
    const client = new AbortController();
    const response = await postChat(`${server.url}/api/chat/stream`, { messages: [{ role: 'user', content: 'survive [[length:20000]] [[pace:0,100]]' }], maxTokens: 4_096 }, { signal: client.signal });
    let tokens = 0;
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const tokensReach = (count: number) => new Promise<void>((resolve) => waiters.push({ count, resolve }));
    const reading = readEvents(response, (e) => {
      if (e.event.type !== 'token') return;
      tokens++;
      for (const w of waiters) if (tokens >= w.count) w.resolve();
    }).catch((error: unknown) => error);
    await tokensReach(1);

    for (const path of ['/%ZZ', '/dist/%E0%A4%A', '//']) {
      const bad = await rawRequest({ origin: server.url, path });
      expect(bad.status, path).toBe(400);
    }
    expect((await rawRequest({ origin: server.embedUrl, path: '/%ZZ' })).status).toBe(400);

    // The same stream goes on after them, and the server still serves pages.
    await tokensReach(tokens + 5);
    expect((await rawRequest({ origin: server.url, path: '/' })).status).toBe(200);
    client.abort();
    await reading;
    await waitFor(() => server.handler.registry.size === 0, 5_000, 'the cancelled stream to leave the registry');
  });

  it('serves the API at /api/chat/stream exactly, with or without a query string', async () => {
    const post = (path: string) => rawRequest({ origin: server.url, path, method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('route [[length:3]]') });
    expect((await post('/api/chat/streamXYZ')).status).toBe(404);
    expect((await post('/api/chat/stream/extra')).status).toBe(404);
    expect((await post('/api/chat/stream?x=1')).status).toBe(200);
    const exact = await post('/api/chat/stream');
    expect(exact.status).toBe(200);
    expect(exact.body).toContain('"type":"done"');
    expect(server.handler.registry.size).toBe(0);
  });

  it('refuses a Host it does not expect on every route (DNS rebinding), static files too', async () => {
    const port = portOf(server.url);
    const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    for (const path of ['/', '/index.html', '/api/chat/stream?status']) {
      const res = await rawRequest({ origin: server.url, path, headers: evil });
      expect(res.status, path).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const api = await rawRequest({ origin: server.url, path: '/api/chat/stream', method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: chat('hi') });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
    // The expected names, but on another port: a rebinding page could use any port.
    expect((await rawRequest({ origin: server.url, path: '/', headers: { host: 'localhost:1' } })).status).toBe(403);
    const noHost = rawConnection(server.url);
    noHost.write('GET / HTTP/1.0\r\n\r\n');
    expect(await noHost.closed).toMatch(/^HTTP\/1\.1 403 /);
    expect((await rawRequest({ origin: server.embedUrl, path: '/', headers: { host: `evil.example:${portOf(server.embedUrl)}` } })).status).toBe(403);
  });

  it('answers the hosts it expects, and treats their origins as its own', async () => {
    const port = portOf(server.url);
    for (const name of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]']) {
      const host = `${name}:${port}`;
      expect((await rawRequest({ origin: server.url, path: '/', headers: { host } })).status, host).toBe(200);
      const api = await rawRequest({
        origin: server.url,
        path: '/api/chat/stream',
        method: 'POST',
        headers: { host, origin: `http://${name.toLowerCase()}:${port}`, 'content-type': 'application/json' },
        body: chat('same origin [[length:2]]'),
      });
      expect(api.status, host).toBe(200);
      expect(api.headers['access-control-allow-origin']).toBe(`http://${name.toLowerCase()}:${port}`);
    }
    expect((await rawRequest({ origin: server.embedUrl, path: '/', headers: { host: `localhost:${portOf(server.embedUrl)}` } })).status).toBe(200);
  });

  it('still answers the embed origin across origins (the allowlist)', async () => {
    const events = await readEvents(await postChat(`${server.url}/api/chat/stream`, { messages: [{ role: 'user', content: 'embed [[length:5]]' }] }, { headers: { 'content-type': 'application/json', origin: server.embedUrl } }));
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('the demo server with extra hosts configured', () => {
  it('answers a host named in AI_STREAM_DEMO_HOSTS, on its own port only', async () => {
    const server = await startDemoServer({ port: 0, embedPort: 0, upstreamPace: { firstTokenMs: 0, tokensPerSecond: 0 }, env: { AI_STREAM_DEMO_HOSTS: 'devbox.local, Chat.Test' } });
    try {
      const port = portOf(server.url);
      expect((await rawRequest({ origin: server.url, path: '/', headers: { host: `devbox.local:${port}` } })).status).toBe(200);
      expect((await rawRequest({ origin: server.url, path: '/', headers: { host: `chat.test:${port}` } })).status).toBe(200);
      expect((await rawRequest({ origin: server.url, path: '/', headers: { host: 'devbox.local:1' } })).status).toBe(403);
      const api = await rawRequest({
        origin: server.url,
        path: '/api/chat/stream',
        method: 'POST',
        headers: { host: `devbox.local:${port}`, origin: `http://devbox.local:${port}`, 'content-type': 'application/json' },
        body: chat('[[length:2]]'),
      });
      expect(api.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
