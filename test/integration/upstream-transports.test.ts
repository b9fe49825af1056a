import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type LocalUpstream } from '../../demo/upstream/server.js';
import { fetchTransport } from '../../api/_lib/upstream/transports/fetch-transport.js';
import { socketTransport } from '../../api/_lib/upstream/transports/socket-transport.js';
import type { UpstreamRequestInit, UpstreamTransport } from '../../api/_lib/upstream/transports/upstream-transport.js';
import { waitFor } from '../support/read-events.js';
import { collect, send } from '../support/upstream-call.js';

// Both transports against the real local upstream: the server core must not be able to
// tell them apart, cancellation included.

function init(content: string): UpstreamRequestInit {
  return {
    method: 'POST',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] }),
  };
}


/**
 * Callbacks that must never come (a second outcome, anything after an abort) are
 * watched for the rest of the file, not for a short wait: each test registers a
 * check, and `afterAll`, seconds and several whole answers later, runs them all.
 */
const lateChecks: Array<() => void> = [];

/** A whole answer on its own connection: a point in time the transport has certainly passed. */
async function anotherAnswer(transport: UpstreamTransport, url: string): Promise<void> {
  const body = collect((await send(transport, url, init('Anchor [[length:20]]')).response).body);
  expect(await body.ended).toBe('end');
}

describe.each([
  ['socket', socketTransport],
  ['fetch', fetchTransport()],
] as Array<[string, UpstreamTransport]>)('upstream transport: %s', (_name, transport) => {
  let upstream: LocalUpstream;
  /** Accepts requests and never answers them. */
  let silent: Server;
  let silentUrl: string;
  let silentClosed = 0;
  let silentRequests = 0;
  beforeAll(async () => {
    upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
    silent = createServer((req) => {
      silentRequests++;
      req.on('close', () => silentClosed++);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/chat/completions`;
  });
  afterAll(async () => {
    for (const check of lateChecks.splice(0)) check();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await upstream.close();
  });

  it('delivers the status, the headers and the whole body as text', async () => {
    const response = await send(transport, `${upstream.url}/chat/completions`, init('Tell me about rivers. [[length:40]]')).response;
    expect(response.status).toBe(200);
    expect(response.header('Content-Type')).toMatch(/^text\/event-stream/);
    expect(response.header('x-not-sent')).toBeNull();
    const body = collect(response.body);
    expect(await body.ended).toBe('end');
    expect(body.text()).toMatch(/^data: \{/);
    expect(body.text().trimEnd()).toMatch(/data: \[DONE\]$/);
    const deltas = body.text().split('\n\n').filter((frame) => frame.includes('"content"'));
    expect(deltas.length).toBeGreaterThanOrEqual(40);
  });

  it('sends the method, path and query, Host, Content-Length and the body byte for byte, to each URL its own', async () => {
    // A recording server: what arrives on the wire, not what the transport meant to send.
    const seen: Array<{ method: string; url: string; host: string; length: string; body: Buffer }> = [];
    const recorder = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', length: req.headers['content-length'] ?? '', body: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const origin = `127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    try {
      // Multi-byte characters: the length is in bytes, not UTF-16 units.
      const body = JSON.stringify({ text: 'héllo 🌊 – ☃' });
      const urls = [`http://${origin}/v1beta/models/gemini-flash:streamGenerateContent?alt=sse`, `http://${origin}/v1/chat/completions`, `http://${origin}/v1beta/models/gemini-flash:streamGenerateContent?alt=sse`];
      for (const url of urls) {
        const response = await send(transport, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).response;
        expect(response.status).toBe(200);
        expect(await collect(response.body).ended).toBe('end');
      }
      expect(seen.map((r) => r.url)).toEqual(urls.map((u) => new URL(u).pathname + new URL(u).search));
      for (const request of seen) {
        expect(request.method).toBe('POST');
        expect(request.host).toBe(origin);
        expect(request.length).toBe(String(Buffer.byteLength(body)));
        expect(request.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
      }
    } finally {
      recorder.closeAllConnections();
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
    }
  });

  it('delivers an error status with its headers and body', async () => {
    const response = await send(transport, `${upstream.url}/chat/completions`, init('rate me [[fault:429]]')).response;
    expect(response.status).toBe(429);
    expect(Number(response.header('retry-after'))).toBeGreaterThan(0);
    const body = collect(response.body);
    expect(await body.ended).toBe('end');
    expect(JSON.parse(body.text())).toMatchObject({ error: expect.any(Object) });
  });

  it('reports a network failure, once', async () => {
    // Nothing listens on port 9 (discard) of 127.0.0.1: the connection is refused.
    const request = send(transport, 'http://127.0.0.1:9/v1/chat/completions', init('hello'));
    await expect(request.response).rejects.toBeDefined();
    expect(request.callbacks()).toBe(1);
    lateChecks.push(() => expect(request.callbacks(), 'a second outcome of a refused connection').toBe(1));
  });

  it('abort before the headers closes the connection, and the receiver hears nothing', async () => {
    const closedBefore = silentClosed;
    const requestsBefore = silentRequests;
    const request = send(transport, silentUrl, init('hello'));
    // Aborted once the request has reached the server, not before it was sent.
    await waitFor(() => silentRequests > requestsBefore, 2_000, 'the request to arrive');
    request.call.abort();
    await waitFor(() => silentClosed === closedBefore + 1, 2_000, 'the upstream to see the connection close');
    expect(request.callbacks()).toBe(0);
    lateChecks.push(() => expect(request.callbacks(), 'a callback after an abort before the headers').toBe(0));
  });

  it('abort while the body streams closes the upstream and no callback fires afterwards', async () => {
    const closed = upstream.stats.nextStreamClosed();
    const { call, response } = send(transport, `${upstream.url}/chat/completions`, init('a long one [[fault:stall]]'));
    const body = collect((await response).body);
    await waitFor(() => body.text().includes('"content"'), 2_000, 'the first deltas');
    call.abort();
    const callsAtAbort = body.calls();
    expect((await closed).reason).toBe('client-aborted');
    expect(body.calls()).toBe(callsAtAbort);
    lateChecks.push(() => expect(body.calls(), 'a body callback after an abort').toBe(callsAtAbort));
  });

  it('pause stops delivery until resume, and the body then completes', async () => {
    const { body: source } = await send(transport, `${upstream.url}/chat/completions`, init('long [[length:20000]]')).response;
    const body = collect(source);
    await waitFor(() => body.text().length > 0, 2_000, 'the first chunk');
    source.pause();
    // What was already read may still arrive just after the pause; then nothing, while
    // two whole answers go through the same transport on other connections.
    await anotherAnswer(transport, `${upstream.url}/chat/completions`);
    const paused = body.text().length;
    await anotherAnswer(transport, `${upstream.url}/chat/completions`);
    expect(body.text().length).toBe(paused);
    source.resume();
    expect(await body.ended).toBe('end');
    expect(body.text().length).toBeGreaterThan(paused);
    expect(body.text().trimEnd()).toMatch(/data: \[DONE\]$/);
  });
});
