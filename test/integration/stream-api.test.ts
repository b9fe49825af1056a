import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/_lib/config/config.js';
import { createStreamHandler } from '../../api/_lib/handler.js';
import { planOpenAIChatAnswer } from '../../demo/upstream/server.js';
import type { ChatMessage } from '../../widget/shared/protocol.js';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { OPENAI_FIXTURE_TEXT, openaiFixtureWire, startReplayUpstream, type ReplayUpstream } from '../support/openai-fixture.js';
import { randomSplits, seededRandom } from '../support/random-splits.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

/** What the local upstream will answer to these messages, as the server forwards them. */
function planned(messages: ChatMessage[], maxTokens = 1024): ReturnType<typeof planOpenAIChatAnswer> {
  return planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages, max_tokens: maxTokens, stream: true });
}

describe.each(MOUNTS)('POST /api/chat/stream against the local upstream (%s mount)', (mount) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({}, { mount });
  });
  afterAll(async () => {
    await api.close();
  });

  it('streams start, tokens, metadata and done with the protocol headers and gap-free ids', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Explain backpressure in streams' }];
    const response = await postChat(api.endpoint, { messages });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const streamId = response.headers.get('x-stream-id');
    expect(streamId).toMatch(/^[0-9a-f-]{36}$/);

    const events = await readEvents(response);
    expect(events[0]?.event).toEqual({ type: 'start', streamId, model: 'gpt-4o-mini', provider: 'openai' });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => `${streamId}:${i}`));
    const types = events.map((e) => e.event.type);
    expect(types.at(-1)).toBe('done');
    expect(new Set(types.slice(1, -1))).toEqual(new Set(['token', 'metadata']));

    const plan = planned(messages);
    expect(textOf(events)).toBe(plan.text);
    expect(events.at(-1)?.event).toEqual({
      type: 'done',
      finishReason: 'stop',
      usage: { promptTokens: plan.usage.prompt_tokens, completionTokens: plan.usage.completion_tokens, totalTokens: plan.usage.total_tokens, source: 'provider' },
    });
    expect(api.handler.registry.size).toBe(0);
  });

  it('sends the key to the upstream and never to the client or the log', async () => {
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'hi' }] });
    const raw = await response.text();
    expect(raw).not.toContain('sk-test-key');
    expect(api.upstream.stats.requests.at(-1)?.headers.authorization).toBe('Bearer sk-test-key-never-logged');
    expect(JSON.stringify(api.logs)).not.toContain('sk-test-key');
  });

  it('reports finish reason length when maxTokens cuts the answer', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'a long one please' }];
    const events = await readEvents(await postChat(api.endpoint, { messages, maxTokens: 7 }));
    expect(textOf(events)).toBe(planned(messages, 7).text);
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'length', usage: { completionTokens: 7 } });
  });

  it('gives 200 concurrent streams exactly their own text', async () => {
    const prompts = Array.from({ length: 200 }, (_, i) => `Topic number ${i}: ${'x'.repeat(i % 7)}`);
    const results = await Promise.all(
      prompts.map(async (content) => {
        const messages: ChatMessage[] = [{ role: 'user', content }];
        const events = await readEvents(await postChat(api.endpoint, { messages, maxTokens: 60 }));
        return { got: textOf(events), want: planned(messages, 60).text, last: events.at(-1)?.event.type };
      }),
    );
    for (const r of results) {
      expect(r.last).toBe('done');
      expect(r.got).toBe(r.want);
    }
    expect(new Set(results.map((r) => r.got)).size).toBe(200);
    expect(api.handler.registry.size).toBe(0);
  });

  it('writes one JSON log line per stream event, with time to first token and usage', async () => {
    const before = api.logs.length;
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'log me' }] });
    const streamId = response.headers.get('x-stream-id');
    await readEvents(response);
    const lines = api.logs.slice(before).filter((l) => l.streamId === streamId);
    expect(lines.map((l) => l.event)).toEqual(['start', 'first_token', 'done']);
    expect(lines[1]).toMatchObject({ ttftMs: expect.any(Number) });
    expect(lines[2]).toMatchObject({ usageSource: 'provider', promptTokens: expect.any(Number), completionTokens: expect.any(Number), durationMs: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toContain('log me');
  });
});

describe('the recorded OpenAI stream through the real handler', () => {
  let upstream: ReplayUpstream;
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    upstream = await startReplayUpstream();
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test-key-never-logged', OPENAI_BASE_URL: upstream.url, AI_STREAM_RETRY_BASE_MS: '50' });
    server = createServer(getRequestListener(createStreamHandler(config, { log: () => {} })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat/stream`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await upstream.close();
  });

  it('turns the recorded bytes, written in random pieces, into the same text, finish reason and provider usage', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      // Pieces of 1 to 24 bytes: cuts inside multi-byte characters and CRLF pairs.
      upstream.next(randomSplits(openaiFixtureWire(seed % 2 ? '\n' : '\r\n'), seededRandom(seed), 24));
      const events = await readEvents(await postChat(endpoint, { messages: [{ role: 'user', content: `replay ${seed}` }] }));
      expect(textOf(events), `seed ${seed}`).toBe(OPENAI_FIXTURE_TEXT);
      expect(events.at(-1)?.event, `seed ${seed}`).toEqual({
        type: 'done',
        finishReason: 'stop',
        usage: { promptTokens: 16, completionTokens: 300, totalTokens: 316, source: 'provider' },
      });
    }
  });
});
