import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents } from '../support/read-events.js';

const user = (content: string) => ({ role: 'user', content });
const ok = { messages: [user('hi')] };

/** The JSON with a byte that never occurs in UTF-8 (0xFF) in place of its last `i`. */
function notUtf8(json: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(json);
  bytes[json.lastIndexOf('i')] = 0xff;
  return bytes;
}

/** A body sent chunked, so the server reads it as a stream. */
function chunked(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

interface Case {
  name: string;
  status: number;
  code: string;
  /** Made per request: a stream body can be sent once. */
  init?: () => RequestInit;
  body?: unknown;
  url?: (endpoint: string) => string;
}

const cases: Case[] = [
  { name: 'body that is not JSON', status: 400, code: 'invalid_json', init: () => ({ body: '{"messages": [' }) },
  { name: 'body that is not UTF-8', status: 400, code: 'invalid_encoding', init: () => ({ body: notUtf8(JSON.stringify(ok)) }) },
  { name: 'body that is not UTF-8, without a Content-Length', status: 400, code: 'invalid_encoding', init: () => ({ body: chunked(notUtf8(JSON.stringify(ok))), duplex: 'half' } as RequestInit) },
  { name: 'JSON that is not an object', status: 400, code: 'bad_request', body: [1, 2] },
  { name: 'no messages', status: 400, code: 'bad_request', body: {} },
  { name: 'empty messages', status: 400, code: 'bad_request', body: { messages: [] } },
  { name: 'unknown role', status: 400, code: 'bad_request', body: { messages: [{ role: 'tool', content: 'x' }] } },
  { name: 'content not a string', status: 400, code: 'bad_request', body: { messages: [{ role: 'user', content: 42 }] } },
  { name: 'unknown field', status: 400, code: 'bad_request', body: { ...ok, stream: false } },
  { name: 'last message not from the user', status: 400, code: 'bad_request', body: { messages: [user('q'), { role: 'assistant', content: 'a' }] } },
  { name: 'unknown model', status: 400, code: 'unknown_model', body: { ...ok, model: 'gpt-9-ultra' } },
  { name: 'a built-in model the operator did not list', status: 400, code: 'unknown_model', body: { ...ok, model: 'gpt-4o' } },
  { name: 'temperature out of range', status: 400, code: 'bad_request', body: { ...ok, temperature: 7 } },
  { name: 'maxTokens above the model cap', status: 400, code: 'bad_request', body: { ...ok, maxTokens: 1_000_000 } },
  { name: 'maxTokens not an integer', status: 400, code: 'bad_request', body: { ...ok, maxTokens: 1.5 } },
  { name: 'unknown mode', status: 400, code: 'bad_request', body: { ...ok, mode: 'xml' } },
  { name: 'schema without json mode', status: 400, code: 'bad_request', body: { ...ok, schema: { type: 'object' } } },
  { name: 'too many messages', status: 400, code: 'bad_request', body: { messages: Array.from({ length: 11 }, () => user('x')) } },
  { name: 'a message too long', status: 413, code: 'payload_too_large', body: { messages: [user('x'.repeat(2_001))] } },
  { name: 'body larger than the limit', status: 413, code: 'payload_too_large', body: { messages: [user('x'.repeat(1_500)), user('y'.repeat(1_500)), user('z'.repeat(1_500))] } },
  { name: 'wrong content type', status: 415, code: 'unsupported_media_type', init: () => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify(ok) }) },
  { name: 'unsupported method', status: 405, code: 'method_not_allowed', init: () => ({ method: 'PUT', body: JSON.stringify(ok) }) },
  { name: 'origin not on the allowlist', status: 403, code: 'origin_not_allowed', init: () => ({ headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify(ok) }) },
  { name: 'prompt that cannot fit the context window', status: 400, code: 'context_length_exceeded', body: { model: 'tiny', messages: [user('word '.repeat(390))] } },
];

describe.each(MOUNTS)('bad input gets a clear 4xx and loses nothing (%s mount)', (mount) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      AI_STREAM_MAX_BODY_BYTES: '4096',
      AI_STREAM_MAX_MESSAGES: '10',
      AI_STREAM_MAX_MESSAGE_CHARS: '2000',
      AI_STREAM_ALLOWED_ORIGINS: 'https://shop.example',
      AI_STREAM_MODELS: 'tiny=openai:gpt-4o-mini@300/20',
    }, { mount });
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(cases)('$name → $status $code', async ({ status, code, init, body, url }) => {
    const requestsBefore = api.upstream.stats.totalRequests;
    const response = await fetch(url ? url(api.endpoint) : api.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init?.(),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(5);
    expect(json.error.message).not.toMatch(/\n\s+at /);
    expect(api.upstream.stats.totalRequests).toBe(requestsBefore);
    expect(api.handler.registry.size).toBe(0);
  });

  it('clamps maxTokens to what the context window leaves', async () => {
    const events = await readEvents(await postChat(api.endpoint, { model: 'tiny', messages: [user('word '.repeat(285))] }));
    expect(events.at(-1)?.event.type).toBe('done');
    const forwarded = api.upstream.stats.requests.at(-1)?.body as { max_tokens: number };
    expect(forwarded.max_tokens).toBeLessThan(20);
    expect(forwarded.max_tokens).toBeGreaterThan(0);
  });

  it('answers an allowed origin with CORS headers, and its preflight', async () => {
    const pre = await fetch(api.endpoint, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const response = await postChat(api.endpoint, ok, { headers: { 'content-type': 'application/json', origin: 'https://shop.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-expose-headers')).toContain('X-Stream-Id');
    await response.body?.cancel();
  });

  it('stays up and serves a normal request after all of that', async () => {
    const events = await readEvents(await postChat(api.endpoint, ok));
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('no provider configured', () => {
  it('answers 503 no_provider', async () => {
    const { createStreamHandler } = await import('../../api/_lib/handler.js');
    const { loadConfig } = await import('../../api/_lib/config/config.js');
    const handler = createStreamHandler(loadConfig({}), { log: () => {} });
    const response = await handler(new Request('http://x/api/chat/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ok) }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'no_provider' } });
  });
});
