import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { rawRequest } from '../support/raw-request.js';
import { postChat, readEvents } from '../support/read-events.js';

const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ messages: [{ role: 'user', content: 'who [[length:2]]' }], ...extra });

/** A POST whose Host and Origin the test chooses, as a page after DNS rebinding sends them. */
function post(api: TestApi, headers: Record<string, string>, extra: Record<string, unknown> = {}) {
  const { origin, pathname } = new URL(api.endpoint);
  return rawRequest({ origin, path: pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body(extra) });
}

describe('same-origin is not decided from the Host header', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_PUBLIC_ORIGIN: 'https://chat.example' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses Origin and Host both evil.example (DNS rebinding), preflight included', async () => {
    const rebound = { host: 'evil.example', origin: 'http://evil.example' };
    const res = await post(api, rebound);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const { origin, pathname } = new URL(api.endpoint);
    const preflight = await rawRequest({ origin, path: pathname, method: 'OPTIONS', headers: { ...rebound, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // Not even the origin the server really listens on counts, unless configured.
    expect((await post(api, { origin })).status).toBe(403);
    expect(api.upstream.stats.totalRequests).toBe(0);
  });

  it('treats the configured AI_STREAM_PUBLIC_ORIGIN as its own, whatever the Host', async () => {
    const res = await post(api, { host: 'chat.example', origin: 'https://chat.example' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://chat.example');
    expect(res.body).toContain('"type":"done"');
  });
});

describe('the operator decides which models and how many tokens', () => {
  it('a request without maxTokens gets the modest default (1024), not the model maximum', async () => {
    const api = await startTestApi();
    try {
      await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'default [[length:2]]' }] }));
      expect(api.upstream.stats.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 1_024 });
      // Asking for more stays possible, up to the model's cap.
      await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'more [[length:2]]' }], maxTokens: 4_096 }));
      expect(api.upstream.stats.requests.at(-1)?.body).toMatchObject({ max_tokens: 4_096 });
    } finally {
      await api.close();
    }
  });

  it('AI_STREAM_DEFAULT_MAX_TOKENS sets the default, capped by the model', async () => {
    const api = await startTestApi({ AI_STREAM_DEFAULT_MAX_TOKENS: '300', AI_STREAM_MODELS: 'roomy=openai:gpt-4o-mini@128000/2048,small=openai:gpt-4o-mini@128000/100' });
    try {
      await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'roomy [[length:2]]' }], model: 'roomy' }));
      expect(api.upstream.stats.requests.at(-1)?.body).toMatchObject({ max_tokens: 300 });
      await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'small [[length:2]]' }], model: 'small' }));
      expect(api.upstream.stats.requests.at(-1)?.body).toMatchObject({ max_tokens: 100 });
    } finally {
      await api.close();
    }
  });

  it('AI_STREAM_MODELS replaces the built-in models: a client cannot pick gpt-4o', async () => {
    const api = await startTestApi({ AI_STREAM_MODELS: 'cheap=openai:gpt-4o-mini@128000/512', AI_STREAM_DEFAULT_MODEL: 'cheap' });
    try {
      for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini']) {
        const res = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'hi' }], model });
        expect(res.status, model).toBe(400);
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('unknown_model');
        expect(error.message).toContain('Available: cheap.');
      }
      expect(api.upstream.stats.totalRequests).toBe(0);
      const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'cheap [[length:2]]' }] }));
      expect(events.at(-1)?.event.type).toBe('done');
      expect(api.upstream.stats.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 512 });
    } finally {
      await api.close();
    }
  });
});
