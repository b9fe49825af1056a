import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/_lib/config/config.js';
import { createStreamHandler } from '../../api/_lib/handler.js';
import { silentLogger } from '../../api/_lib/ops/log.js';
import type { ModelsBody } from '../../api/_lib/config/models-endpoint.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';

// GET /api/chat/stream?models through real HTTP, in front of the local upstream.

const key = 'sk-models-endpoint-secret-0123456789';
const shop = 'https://shop.example';

describe('GET /api/chat/stream?models with the operator’s list', () => {
  let api: TestApi;
  let modelsUrl: string;
  beforeAll(async () => {
    api = await startTestApi({
      OPENAI_API_KEY: key,
      // Upstream names unlike the aliases, to see that none of them leaks.
      AI_STREAM_MODELS: 'fast=openai:vendor-model-fast-x1@128000/2048,smart=openai:vendor-model-smart-x2',
      AI_STREAM_DEFAULT_MODEL: 'smart',
      AI_STREAM_ALLOWED_ORIGINS: shop,
    });
    modelsUrl = `${api.endpoint}?models`;
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists exactly the configured aliases, with their provider, and the default', async () => {
    const res = await fetch(modelsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(await res.json()).toEqual({
      models: [
        { id: 'fast', provider: 'openai', reasoning: false },
        { id: 'smart', provider: 'openai', reasoning: false },
      ],
      default: 'smart',
    } satisfies ModelsBody);
  });

  it('names aliases a POST may use', async () => {
    const { models } = (await (await fetch(modelsUrl)).json()) as ModelsBody;
    for (const { id } of models) {
      const events = await readEvents(await postChat(api.endpoint, { model: id, messages: [{ role: 'user', content: `listed ${id} [[length:20]]` }] }));
      expect(events.at(-1)?.event, id).toMatchObject({ type: 'done' });
      expect(textOf(events)).toContain(`listed ${id}`);
    }
    const upstreamModel = (id: string) =>
      api.upstream.stats.requests.filter((request) => JSON.stringify(request.body).includes(`listed ${id} `)).map((request) => (request.body as { model?: unknown }).model);
    expect(upstreamModel('fast')).toEqual(['vendor-model-fast-x1']);
    expect(upstreamModel('smart')).toEqual(['vendor-model-smart-x2']);
  });

  it('reveals no key, base URL or upstream model name', async () => {
    const res = await fetch(modelsUrl, { headers: { origin: shop } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('"id":"fast"');
    const upstreamUrl = new URL(api.upstream.url);
    for (const secret of [key, upstreamUrl.href, upstreamUrl.host, String(upstreamUrl.port), 'vendor-model', 'http']) {
      expect(body, secret).not.toContain(secret);
    }
    expect(JSON.stringify(api.logs)).not.toContain(key);
  });

  it('answers an allowed origin with CORS headers', async () => {
    const res = await fetch(modelsUrl, { headers: { origin: shop } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(((await res.json()) as ModelsBody).default).toBe('smart');
  });

  it('refuses an origin off the allowlist with 403 and no list', async () => {
    const res = await fetch(modelsUrl, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: { code: 'origin_not_allowed', message: 'This origin may not call the chat API.' } });
  });

  it('leaves other GETs as they were: 405 without ?models', async () => {
    const res = await fetch(api.endpoint);
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});

describe('GET /api/chat/stream?models with the built-in list', () => {
  it('lists every built-in alias of the configured provider, in configuration order', async () => {
    // Only OpenAI configured: the list is its built-in aliases, whatever they are.
    const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const config = loadConfig(env);
    const api = await serveHandler(env);
    try {
      const body = (await (await fetch(api.modelsUrl)).json()) as ModelsBody;
      expect(body.models.map((model) => model.id)).toEqual(Object.keys(config.models));
      expect(new Set(body.models.map((model) => model.provider))).toEqual(new Set(Object.values(config.models).map((model) => model.provider)));
      expect(body.default).toBe(config.defaultModel);
      expect(body.models.length).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});

describe('GET /api/chat/stream?models with no provider', () => {
  it('answers 503 no_provider, as a POST does', async () => {
    const api = await serveHandler({});
    try {
      const res = await fetch(api.modelsUrl);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_provider');
    } finally {
      await api.close();
    }
  });
});

/**
 * The handler on 127.0.0.1 with exactly the environment given: the test API adds every
 * provider of the local upstream, and these cases need fewer. Listing models never
 * calls a provider, so no upstream is needed.
 */
async function serveHandler(env: Record<string, string>): Promise<{ modelsUrl: string; close(): Promise<void> }> {
  const server = createServer(getRequestListener(createStreamHandler(loadConfig(env), { log: silentLogger })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    modelsUrl: `http://127.0.0.1:${port}/api/chat/stream?models`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
